using Microsoft.Extensions.Options;

namespace SocketDaemon.Hosting.Validation;

/// <summary>
/// Runs the validators a folder registers for its own part of the <c>SocketDaemon</c> section as part of the one
/// validation of the whole section, so that start-up, <c>--check</c> and reload report every problem together.
/// </summary>
internal sealed class SectionValidator<TSection>(
    Func<SocketDaemonOptions, TSection> section,
    IEnumerable<IValidateOptions<TSection>> validators,
    Func<SocketDaemonOptions, IEnumerable<string>>? more = null) : IValidateOptions<SocketDaemonOptions>
    where TSection : class
{
    public ValidateOptionsResult Validate(string? name, SocketDaemonOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var part = section(options);
        foreach (var validator in validators)
        {
            if (validator.Validate(name, part) is { Failed: true } result)
            {
                failures.AddRange(result.Failures ?? [result.FailureMessage]);
            }
        }

        failures.AddRange(more?.Invoke(options) ?? []);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
