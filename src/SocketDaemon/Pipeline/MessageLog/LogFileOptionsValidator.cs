using Microsoft.Extensions.Options;
using SocketDaemon.Configuration;

namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>Checks <c>SocketDaemon:LogFiles</c> at start and at every reload, naming the key that is wrong.</summary>
public sealed class LogFileOptionsValidator : IValidateOptions<LogFileOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, LogFileOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string Key = $"{SharedSettings.SectionName}:{LogFileOptions.SectionName}";
        var files = options;
        var failures = new List<string>();
        if (!Enum.IsDefined(files.Naming))
        {
            failures.Add($"{Key}:Naming: {files.Naming} is not one of Dated, Stable.");
        }

        if (!Enum.IsDefined(files.Compression))
        {
            failures.Add($"{Key}:Compression: {files.Compression} is not one of None, Gzip, Zstd.");
        }

        if (files.RetainedAge is { } age && age <= TimeSpan.Zero)
        {
            failures.Add($"{Key}:RetainedAge: {age} is not a positive duration, such as 30.00:00:00.");
        }

        if (files.RetainedTotalBytes is { } bytes && bytes <= 0)
        {
            failures.Add($"{Key}:RetainedTotalBytes: {bytes} is not a positive number of bytes, such as 10737418240.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
