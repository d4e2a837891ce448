using Microsoft.Extensions.Options;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Configuration;

/// <summary>
/// A folder's validator of its own part of the section (LogFiles, Nats) runs inside the one validation of the whole
/// <c>SocketDaemon</c> section: its problems stop start-up with the others, each naming its full key.
/// </summary>
public class SectionValidationTests
{
    [Fact]
    public async Task Problems_of_two_sections_stop_start_up_together_each_naming_its_key()
    {
        var configuration = new Dictionary<string, string?>
        {
            ["SocketDaemon:LogFiles:RetainedTotalBytes"] = "0",
            ["SocketDaemon:Nats:MaxInFlight"] = "0",
        };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestDaemon.StartAsync(configuration));

        var logFiles = error.Failures.ToList().FindIndex(f => f.StartsWith("SocketDaemon:LogFiles:RetainedTotalBytes: 0 is not a positive number of bytes", StringComparison.Ordinal));
        var nats = error.Failures.ToList().FindIndex(f => f.StartsWith("SocketDaemon:Nats:MaxInFlight: 0 is not a positive number", StringComparison.Ordinal));
        Assert.True(logFiles >= 0 && nats > logFiles, "failures: " + string.Join("; ", error.Failures));
    }
}
