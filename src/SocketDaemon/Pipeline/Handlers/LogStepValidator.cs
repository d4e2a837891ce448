using SocketDaemon.Pipeline.MessageLog;

namespace SocketDaemon.Pipeline.Handlers;

/// <summary>Checks a <c>Log</c> step.</summary>
internal sealed class LogStepValidator : IPipelineStepValidator<LogStepOptions>
{
    public void Validate(PipelineStepValidation validation, LogStepOptions options)
    {
        options.Validate(validation);
        if (options.RetainedFileCountLimit is < 1)
        {
            validation.Fail(nameof(options.RetainedFileCountLimit), $"{options.RetainedFileCountLimit} is not a positive number");
        }

        if (options.FileSizeLimitBytes is < 1)
        {
            validation.Fail(nameof(options.FileSizeLimitBytes), $"{options.FileSizeLimitBytes} is not a positive size");
        }

        if (options.MaxOpenFiles is < 1)
        {
            validation.Fail(nameof(options.MaxOpenFiles), $"{options.MaxOpenFiles} is not a positive number");
        }

        if (LogPathTemplate.IsTemplate(options.Path))
        {
            ValidateTemplate(validation, options);
        }
    }

    private static void ValidateTemplate(PipelineStepValidation validation, LogStepOptions options)
    {
        if (!LogPathTemplate.TryParse(options.Path!, out var template, out var error))
        {
            validation.Fail(nameof(options.Path), error!);
            return;
        }

        if (options.OutputTemplate is not null)
        {
            validation.Fail(nameof(options.Path), "a path that names properties needs the fast path: remove OutputTemplate, or name a fixed file");
        }

        // Values cannot hold a '/', so the literal parts alone decide where the files go.
        if (validation.Options.LogDirectory is { } directory)
        {
            var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
            var sample = Path.GetFullPath(template!.Sample(), root);
            if (!sample.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                validation.Fail(nameof(options.Path), $"'{options.Path}' leads outside the log directory {root}; a path that names properties must stay inside it");
            }
        }
    }
}
