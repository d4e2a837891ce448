using Npgsql;
using SocketDaemon.Pipeline;

namespace SocketDaemon.PostgresOutput;

/// <summary>Checks a <c>Postgres</c> step: its connection string (read, not tried), table name, sizes and spool (one writer each).</summary>
internal sealed class PostgresStepValidator : IPipelineStepValidator<PostgresStepOptions>
{
    public void Validate(PipelineStepValidation validation, PostgresStepOptions options)
    {
        options.Validate(validation);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            validation.Fail(nameof(options.ConnectionString), "a Postgres step needs a connection string, such as Host=localhost;Database=logs;Username=socketdaemon");
        }
        else if (!TryRead(options.ConnectionString, out var problem))
        {
            // The message names the bad keyword or value, never the password.
            validation.Fail(nameof(options.ConnectionString), problem);
        }

        if (!PostgresTableName.TryParse(options.Table, out _, out var tableProblem))
        {
            validation.Fail(nameof(options.Table), tableProblem);
        }

        options.ValidateBatchSize(validation, 100_000);
        var spool = PostgresPipelineBuilderExtensions.SpoolDirectory(validation.Options, options);
        options.ValidateSpool(validation, spool, $"another step uses the spool {spool}; give each step its own Spool directory");
    }

    private static bool TryRead(string connectionString, out string problem)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrEmpty(builder.Host))
            {
                problem = "the connection string names no Host (a name, an address, or a Unix socket directory)";
                return false;
            }

            problem = string.Empty;
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException or InvalidCastException or OverflowException)
        {
            problem = $"not a valid Npgsql connection string: {ex.Message}";
            return false;
        }
    }
}
