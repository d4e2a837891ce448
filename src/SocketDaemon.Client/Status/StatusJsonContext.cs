using System.Text.Json.Serialization;

namespace SocketDaemon.Client.Status;

/// <summary>Source-generated JSON for the status report: no reflection, safe to trim and to compile ahead of time.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(DaemonStatus))]
public sealed partial class StatusJsonContext : JsonSerializerContext;
