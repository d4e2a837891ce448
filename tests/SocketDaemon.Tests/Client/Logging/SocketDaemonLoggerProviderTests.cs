using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocketDaemon.Extensions.Logging;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Client.Logging;

public sealed partial class SocketDaemonLoggerProviderTests
{
    private static readonly Func<ILogger, string, int, IDisposable?> RequestScope = LoggerMessage.DefineScope<string, int>("request {RequestId} for order {OrderId}");

    [Fact]
    public async Task Entries_arrive_as_rfc5424_messages_with_level_category_event_id_scopes_and_exception()
    {
        await using var daemon = await TestDaemon.StartAsync();
        using (var factory = LoggerFactory.Create(b => b.AddSocketDaemon(o =>
        {
            o.Endpoint = daemon.Unix.ToString();
            o.AppName = "orders-api";
            o.HostName = "web-1";
        })))
        {
            var logger = factory.CreateLogger("Shop.Orders");
            using (RequestScope(logger, "r-42", 1001))
            {
                Slow(logger, 1001, 950);
            }

            Failed(logger, 1002, new InvalidOperationException("card \"declined\""));
        }

        // Disposing the factory flushed the queue: both entries are in the log already.
        var texts = daemon.Log.Texts();
        Assert.Equal(2, texts.Count);
        Assert.Matches(
            @"^<12>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z web-1 orders-api \d+ Slow \[meta@32473 level=""Warning"" category=""Shop.Orders"" eventId=""12"" OrderId=""1001"" Ms=""950"" RequestId=""r-42"" scope=""request r-42 for order 1001""\] order 1001 took 950 ms$",
            texts[0]);
        Assert.StartsWith(@"<11>1 ", texts[1], StringComparison.Ordinal);
        Assert.Contains(@"Failed [meta@32473 level=""Error"" category=""Shop.Orders"" eventId=""13"" OrderId=""1002""] order 1002 failed\nSystem.InvalidOperationException: card ""declined""", texts[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Options_bind_from_the_Logging_SocketDaemon_section()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:SocketDaemon:Endpoint"] = "tcp://127.0.0.1:1",
            ["Logging:SocketDaemon:Spool"] = "/tmp/spool-here",
            ["Logging:SocketDaemon:QueueLimit"] = "42",
            ["Logging:SocketDaemon:QueueFullMode"] = "DropNewest",
            ["Logging:SocketDaemon:FlushTimeout"] = "00:00:02",
        });
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddSocketDaemon();
        using var host = builder.Build();

        var options = host.Services.GetRequiredService<IOptions<SocketDaemonLoggerOptions>>().Value;
        Assert.Equal("tcp://127.0.0.1:1", options.Endpoint);
        Assert.Equal("/tmp/spool-here", options.Spool);
        Assert.Equal(42, options.QueueLimit);
        Assert.Equal(SocketDaemonQueueFullMode.DropNewest, options.QueueFullMode);
        Assert.Equal(TimeSpan.FromSeconds(2), options.FlushTimeout);
    }

    [Fact]
    public async Task A_full_queue_drops_and_counts_entries_instead_of_blocking_the_caller()
    {
        using var directory = new TempDirectory();
        // Nothing listens there: the sender keeps trying to connect and takes nothing from the queue.
        await using var provider = new SocketDaemonLoggerProvider(Options.Create(new SocketDaemonLoggerOptions
        {
            Endpoint = "unix:" + directory.Combine("absent.sock"),
            QueueLimit = 10,
            FlushTimeout = TimeSpan.Zero,
        }));
        var logger = provider.CreateLogger("Test");
        for (var i = 0; i < 100; i++)
        {
            Entry(logger, i);
        }

        Assert.Equal(90, provider.DroppedEntries);
    }

    [Fact]
    public void A_bad_endpoint_stops_start_up_naming_the_key()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new SocketDaemonLoggerProvider(Options.Create(new SocketDaemonLoggerOptions { Endpoint = "carrier-pigeon:home" })));
        Assert.Contains("Logging:SocketDaemon:Endpoint", error.Message, StringComparison.Ordinal);
    }

    [LoggerMessage(EventId = 12, EventName = "Slow", Level = LogLevel.Warning, Message = "order {OrderId} took {Ms} ms")]
    private static partial void Slow(ILogger logger, int orderId, int ms);

    [LoggerMessage(EventId = 13, EventName = "Failed", Level = LogLevel.Error, Message = "order {OrderId} failed")]
    private static partial void Failed(ILogger logger, int orderId, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "entry {Index}")]
    private static partial void Entry(ILogger logger, int index);
}
