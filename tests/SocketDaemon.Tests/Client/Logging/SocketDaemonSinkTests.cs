using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Context;
using Serilog.Settings.Configuration;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Client.Logging;

public sealed class SocketDaemonSinkTests
{
    [Fact]
    public async Task Serilog_events_arrive_with_level_source_context_properties_and_exception()
    {
        await using var daemon = await TestDaemon.StartAsync();
        await using (var logger = new LoggerConfiguration()
            .Enrich.FromLogContext()
            .WriteTo.SocketDaemon(daemon.Unix.ToString(), appName: "billing")
            .CreateLogger())
        {
            var billing = logger.ForContext(Serilog.Core.Constants.SourceContextPropertyName, "Billing.Invoices");
            using (LogContext.PushProperty("Tenant", "acme"))
            {
                billing.Information("invoice {InvoiceId} sent", 77);
            }

            billing.Fatal(new TimeoutException("gateway ] slow"), "invoice {InvoiceId} lost", 78);
        }

        var texts = daemon.Log.Texts();
        Assert.Equal(2, texts.Count);
        Assert.Matches(@"^<14>1 \S+Z \S+ billing \d+ - \[meta@32473 level=""Information"" category=""Billing.Invoices"" (InvoiceId=""77"" Tenant=""acme""|Tenant=""acme"" InvoiceId=""77"")\] invoice 77 sent$", texts[0]);
        Assert.StartsWith("<10>1 ", texts[1], StringComparison.Ordinal);
        Assert.Contains(@"level=""Fatal"" category=""Billing.Invoices"" InvoiceId=""78""] invoice 78 lost\nSystem.TimeoutException: gateway ] slow", texts[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sink_is_configured_from_the_Serilog_section_as_other_sinks_are()
    {
        await using var daemon = await TestDaemon.StartAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Serilog:WriteTo:0:Name"] = "SocketDaemon",
            ["Serilog:WriteTo:0:Args:endpoint"] = daemon.Unix.ToString(),
            ["Serilog:WriteTo:0:Args:appName"] = "configured",
            ["Serilog:WriteTo:0:Args:facility"] = "16",
            ["Serilog:WriteTo:0:Args:flushTimeout"] = "00:00:10",
        }).Build();
        await using (var logger = new LoggerConfiguration()
            .ReadFrom.Configuration(configuration, new ConfigurationReaderOptions(typeof(SocketDaemonLoggerConfigurationExtensions).Assembly))
            .CreateLogger())
        {
            logger.Warning("from configuration");
        }

        // local0 (16) * 8 + warning (4)
        Assert.Matches(@"^<132>1 \S+ \S+ configured \d+ - \[meta@32473 level=""Warning""\] from configuration$", Assert.Single(daemon.Log.Texts()));
    }
}
