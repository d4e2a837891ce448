namespace SocketDaemon.Diagnostics;

/// <summary>
/// The event ids of the daemon's operational log, all in one table so that no two messages share one: a range per
/// folder, a block of ten or twenty per class inside it. Every <c>[LoggerMessage]</c> in the daemon names one of
/// these; <c>EventIdTests</c> fails on a literal id or a value used twice.
/// </summary>
/// <remarks>
/// Operators filter and alert on these numbers: an id, once given, keeps its meaning and is not given to another
/// message. A new message takes the next free number of its block.
/// </remarks>
internal static class EventIds
{
    // Listeners (100-199): binding, accepting, stored listening sockets.
    public const int ListenerBound = 100;
    public const int DatagramListenerBound = 101;
    public const int StaleSocketRemoved = 102;
    public const int ListenerUnbound = 103;
    public const int AcceptFailed = 104;
    public const int DatagramDropped = 105;
    public const int ListenerResumed = 106;
    public const int StoredListenerMismatch = 107;
    public const int ListenerOpenToNetwork = 108;

    // Listeners: datagrams the kernel dropped and the receive buffer (160-169).
    public const int DatagramsDroppedByKernel = 160;
    public const int ReceiveBufferCapped = 161;
    public const int DropCountingUnavailable = 162;

    // Listeners: the NATS consumer (150-159).
    public const int NatsConsuming = 150;
    public const int NatsConsumeFailed = 151;
    public const int NatsAckFailed = 152;
    public const int NatsMessageTooLarge = 153;
    public const int NatsAckPolicyMismatch = 154;

    // Connections (200-299): one connection's life.
    public const int ConnectionOpened = 200;
    public const int FramingDetected = 201;
    public const int ConnectionClosed = 202;
    public const int BadFrame = 203;
    public const int IdleTimeout = 204;
    public const int ConnectionReset = 205;
    public const int HandlerFailed = 206;
    public const int MaxConnectionAge = 207;
    public const int OversizeDropped = 208;
    public const int OversizeTruncated = 209;
    public const int RateLimited = 210;

    // Connections: admission and limits (220-239).
    public const int ConnectionLimit = 220;
    public const int ListenerConnectionLimit = 221;
    public const int PeerConnectionLimit = 222;
    public const int AccessDenied = 223;
    public const int TlsHandshakeFailed = 224;
    public const int BadProxyHeader = 225;

    // Connections: stopping and the hand-over to the next run (240-259).
    public const int Draining = 240;
    public const int DrainTimedOut = 241;
    public const int ConnectionHandedOver = 242;
    public const int ConnectionResumed = 243;

    // Protocols (300-399): what a connection speaks. A native batch's failed message is logged by MessageIntake, as
    // every source's failures are, under the id it always had.
    public const int NativeBatchMessageFailed = 300;

    // Pipeline handlers (400-499): Exec (400-419), Forward (420-439), Syslog (440-459), Postgres (460-479).
    public const int ExecChildStarted = 400;
    public const int ExecChildGone = 401;
    public const int ExecChildTimedOut = 402;
    public const int ExecChildStandardError = 403;
    public const int ForwardUpstreamFailed = 420;
    public const int ForwardSpoolRecovered = 421;
    public const int ForwardSpoolPending = 422;
    public const int ForwardStagedRefused = 423;
    public const int SyslogCollectorFailed = 440;
    public const int SyslogSpoolRecovered = 441;
    public const int SyslogSpoolPending = 442;
    public const int PostgresDatabaseFailed = 460;
    public const int PostgresRowRefused = 461;
    public const int PostgresSpoolRecovered = 462;
    public const int PostgresSpoolPending = 463;

    // Message log (500-599): repair after a crash (500-509), the writer (510-529).
    public const int TornWriteCut = 500;
    public const int LogFileDeleted = 510;
    public const int LogDeletedLinesLost = 511;
    public const int LogWriteFailed = 512;
    public const int LogLinesSpooled = 513;
    public const int LogWriteRecovered = 514;
    public const int LogMessagesLost = 515;
    public const int LogWriterStuck = 516;

    // Outputs (600-699): NATS publishing (600-609) and its spool (610-619).
    public const int NatsPublishFailing = 600;
    public const int NatsPublishRecovered = 601;
    public const int NatsPublishAbandoned = 602;
    public const int NatsSpoolRecovered = 610;
    public const int NatsSpoolPending = 611;
    public const int NatsSpoolBadRecord = 612;
    public const int NatsStagedRefused = 613;

    // Hosting (700-799): commands (700-709), reload (710-719), systemd notify (720-729) and fd store (730-749).
    public const int QuitAccepted = 700;
    public const int QuitRefused = 701;
    public const int Reloaded = 710;
    public const int ReloadRejected = 711;
    public const int ReloadListenersNeedRestart = 712;
    public const int WatchdogEnabled = 720;
    public const int FdStoreEnabled = 730;
    public const int FdStoreNoNotifySocket = 731;
    public const int FdStoreAddFailed = 732;
    public const int FdStoreDiscarded = 733;
    public const int FdStorePendingDiscarded = 734;
    public const int LoggedBytesDropped = 735;
}
