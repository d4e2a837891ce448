namespace SocketDaemon.Client.Spooling;

/// <summary>One record read back from a <see cref="DiskSpool"/>: its sequence number and its bytes.</summary>
/// <param name="Sequence">The record's place in the spool, from 1, never reused.</param>
/// <param name="Payload">What was appended.</param>
public sealed record SpoolRecord(ulong Sequence, byte[] Payload);
