using System.Text.Json.Serialization;

namespace SocketDaemon.Client.Tail;

/// <summary>Source-generated JSON for tail events.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
[JsonSerializable(typeof(TailEvent))]
public sealed partial class TailJsonContext : JsonSerializerContext;
