using Microsoft.Extensions.Options;

namespace SocketDaemon.Hosting.Configuration;

/// <summary>Reports what the configuration check found before binding, first among the failures.</summary>
internal sealed class ConfigurationProblemsValidator(ConfigurationProblems problems) : IValidateOptions<SocketDaemonOptions>
{
    public ValidateOptionsResult Validate(string? name, SocketDaemonOptions options) =>
        problems.Current.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems.Current);
}
