namespace SocketDaemon.Pipeline.Handlers;

/// <summary>What an <c>Exec</c> step runs and how it talks to it.</summary>
/// <param name="Command">The program.</param>
/// <param name="Args">Its arguments.</param>
/// <param name="Transform"><see langword="true"/> for <c>Mode: transform</c>, <see langword="false"/> for <c>consume</c>.</param>
/// <param name="ConfirmWithOk">In consume mode, whether each message waits for an <c>OK</c> line.</param>
/// <param name="Timeout">How long the child may take to answer.</param>
public sealed record ExecOptions(string Command, IReadOnlyList<string> Args, bool Transform, bool ConfirmWithOk, TimeSpan Timeout);
