namespace WorkerSample;

/// <summary>Processes an order a second, and logs about it through ILogger and through Serilog.</summary>
internal sealed partial class Worker(ILogger<Worker> logger, Serilog.ILogger serilog) : BackgroundService
{
    private static readonly Func<ILogger, int, IDisposable?> OrderScope = LoggerMessage.DefineScope<int>("Order {OrderId}");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var audit = serilog.ForContext<Worker>();
        for (var order = 1; !stoppingToken.IsCancellationRequested; order++)
        {
            var elapsedMs = Random.Shared.Next(5, 50);
            using (OrderScope(logger, order))
            {
                OrderProcessed(logger, order, elapsedMs);
                if (order % 5 == 0)
                {
                    OrderFailed(logger, order, new InvalidOperationException($"payment for order {order} declined"));
                }
            }

            audit.Information("Audit: order {OrderId} by {Customer:l}", order, "c-" + (order % 3));
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    [LoggerMessage(EventId = 100, EventName = "OrderProcessed", Level = LogLevel.Information, Message = "Order {OrderId} processed in {ElapsedMs} ms")]
    private static partial void OrderProcessed(ILogger logger, int orderId, int elapsedMs);

    [LoggerMessage(EventId = 101, EventName = "OrderFailed", Level = LogLevel.Error, Message = "Order {OrderId} failed")]
    private static partial void OrderFailed(ILogger logger, int orderId, Exception exception);
}
