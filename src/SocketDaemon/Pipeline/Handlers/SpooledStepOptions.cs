using SocketDaemon.Configuration;
using SocketDaemon.Pipeline.MessageLog;
namespace SocketDaemon.Pipeline.Handlers;

/// <summary>
/// The keys every spooled output step has (<c>Forward</c>, <c>Syslog</c>, <c>Postgres</c>): which messages it takes
/// (its conditions and <c>Final</c>), when a message counts as committed, its batches and its spool.
/// </summary>
/// <param name="batchSize">The step's default <see cref="BatchSize"/>.</param>
public abstract class SpooledStepOptions(int batchSize) : StepConditions
{
    /// <summary>With conditions: whether the messages it takes go no further.</summary>
    /// <remarks>Defaults to <see langword="true"/>.</remarks>
    public bool? Final { get; set; }

    /// <summary>When the sender's message counts as committed: once the output has it (downstream), or once it is in the spool (local).</summary>
    /// <remarks>Defaults to <see cref="ForwardAcknowledge.Downstream"/>.</remarks>
    public ForwardAcknowledge Acknowledge { get; set; } = ForwardAcknowledge.Downstream;

    /// <summary>The most messages in one batch: to an upstream, before one flush to a collector, in one <c>COPY</c>.</summary>
    /// <remarks>Defaults to 512 (<c>Postgres</c>: 1000).</remarks>
    public int BatchSize { get; set; } = batchSize;

    /// <summary>The spool directory.</summary>
    /// <remarks>Defaults to <c>spool/forward</c>, <c>spool/syslog</c> or <c>spool/postgres</c> under <c>StateDirectory</c>.</remarks>
    public string? Spool { get; set; }

    /// <summary>The most the spool may hold; past it messages are refused (<c>Busy</c>).</summary>
    /// <remarks>Defaults to 1 GiB.</remarks>
    public long SpoolMaxBytes { get; set; } = 1L << 30;

    /// <summary>The spool directory: <see cref="Spool"/>, else <c>spool/</c><paramref name="name"/>, under <paramref name="stateDirectory"/>.</summary>
    internal string SpoolDirectory(string stateDirectory, string name) =>
        Path.GetFullPath(Spool ?? Path.Combine("spool", name), stateDirectory);

    /// <summary>
    /// <paramref name="output"/> with this step's acknowledgement, batch size and spool: the directory
    /// <paramref name="spool"/>, made durable as <paramref name="durability"/> asks.
    /// </summary>
    internal TOutput Spooled<TOutput>(TOutput output, string spool, MessageDurability durability)
        where TOutput : SpooledOutputOptions =>
        (TOutput)((SpooledOutputOptions)output with
        {
            Downstream = Acknowledge == ForwardAcknowledge.Downstream,
            BatchSize = BatchSize,
            Spool = spool,
            SpoolMaxBytes = SpoolMaxBytes,
            Fsync = durability == MessageDurability.Fsync,
        });

    /// <summary>Checks the batch size: from 1 up to <paramref name="maxBatchSize"/>.</summary>
    internal void ValidateBatchSize(PipelineStepValidation validation, int maxBatchSize)
    {
        if (BatchSize < 1 || BatchSize > maxBatchSize)
        {
            validation.Fail(nameof(BatchSize), $"{BatchSize} is not between 1 and {maxBatchSize}");
        }
    }

    /// <summary>
    /// Checks the spool's size, the step's connection settings (<see cref="ValidateConnection"/>), and that no other
    /// step writes <paramref name="spool"/> (a spool has one writer; the failure says <paramref name="sharedSpool"/>).
    /// </summary>
    internal void ValidateSpool(PipelineStepValidation validation, string spool, string sharedSpool)
    {
        if (SpoolMaxBytes <= 0)
        {
            validation.Fail(nameof(SpoolMaxBytes), $"{SpoolMaxBytes} is not a positive size");
        }

        ValidateConnection(validation);
        if (!validation.TryClaim(spool, out _))
        {
            validation.Fail(nameof(Spool), sharedSpool);
        }
    }

    /// <summary>Checks what the step connects with (TLS files); nothing by default.</summary>
    private protected virtual void ValidateConnection(PipelineStepValidation validation)
    {
    }

    /// <summary>The keys of a spooled step, after the conditions, with the step's own keys.</summary>
    internal static ConfigurationShape SpooledShape(params (string Name, ConfigurationShape Shape)[] more) => ConfigurationShape.Object(
        StepConditions.Shape(),
        [
            (nameof(Final), ConfigurationShape.Value(ValueForm.Boolean)),
            (nameof(Acknowledge), ConfigurationShape.Value(ValueForm.Enum<ForwardAcknowledge>())),
            (nameof(BatchSize), ConfigurationShape.Value(ValueForm.Int32)),
            (nameof(Spool), ConfigurationShape.Value(ValueForm.Text)),
            (nameof(SpoolMaxBytes), ConfigurationShape.Value(ValueForm.Bytes)),
            .. more,
        ]);
}
