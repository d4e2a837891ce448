using SocketDaemon.Connections;

namespace SocketDaemon.Hosting.Validation;

/// <summary>
/// Checks the limits that apply to every listener (<c>SocketDaemon:Limits</c>) or to one
/// (<c>SocketDaemon:Listeners:NAME</c>), where an unset value falls back to the global one.
/// </summary>
internal static class LimitsValidation
{
    private const int MaxMessageBytesLimit = 16 * 1024 * 1024;

    /// <summary>Adds a line to <paramref name="failures"/> for each limit out of range.</summary>
    public static void Validate(
        List<string> failures,
        string key,
        int? maxMessageBytes,
        int? maxConnections,
        int? maxConnectionsPerPeer,
        TimeSpan? idleTimeout,
        TimeSpan? frameTimeout,
        TimeSpan? maxConnectionAge,
        MinDataRateOptions? minDataRate,
        RateLimitOptions? rateLimit)
    {
        if (maxMessageBytes is < 1 or > MaxMessageBytesLimit)
        {
            failures.Add($"{key}:MaxMessageBytes: {maxMessageBytes} is not between 1 and {MaxMessageBytesLimit}");
        }

        AddIfNotPositive(failures, $"{key}:MaxConnections", maxConnections);
        AddIfNotPositive(failures, $"{key}:MaxConnectionsPerPeer", maxConnectionsPerPeer);
        AddIfNotPositive(failures, $"{key}:IdleTimeout", idleTimeout);
        AddIfNotPositive(failures, $"{key}:FrameTimeout", frameTimeout);
        AddIfNotPositive(failures, $"{key}:MaxConnectionAge", maxConnectionAge);
        ValidateMinDataRate(failures, $"{key}:MinDataRate", minDataRate);
        ValidateRateLimit(failures, $"{key}:RateLimit", rateLimit);
    }

    private static void AddIfNotPositive(List<string> failures, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{key}: {value} is not a positive duration such as 00:00:30");
        }
    }

    private static void AddIfNotPositive(List<string> failures, string key, TimeSpan? value)
    {
        if (value is { } set)
        {
            AddIfNotPositive(failures, key, set);
        }
    }

    private static void AddIfNotPositive(List<string> failures, string key, int? value)
    {
        if (value is < 1)
        {
            failures.Add($"{key}: {value} is not a positive number");
        }
    }

    private static void ValidateMinDataRate(List<string> failures, string key, MinDataRateOptions? rate)
    {
        if (rate is null)
        {
            return;
        }

        if (!(rate.BytesPerSecond > 0) || double.IsInfinity(rate.BytesPerSecond))
        {
            failures.Add($"{key}:BytesPerSecond: {rate.BytesPerSecond} is not a positive number of bytes per second");
        }

        if (rate.GracePeriod < TimeSpan.Zero)
        {
            failures.Add($"{key}:GracePeriod: {rate.GracePeriod} is negative");
        }
    }

    private static void ValidateRateLimit(List<string> failures, string key, RateLimitOptions? rate)
    {
        if (rate is null)
        {
            return;
        }

        AddIfNotPositive(failures, $"{key}:MessagesPerSecond", rate.MessagesPerSecond);
        AddIfNotPositive(failures, $"{key}:Burst", rate.Burst);
    }
}
