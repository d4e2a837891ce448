using System.Diagnostics.CodeAnalysis;

namespace SocketDaemon.Pipeline;

/// <summary>A function that handles one message.</summary>
[SuppressMessage("Naming", "CA1711", Justification = "Named like ASP.NET Core's RequestDelegate and ConnectionDelegate.")]
public delegate ValueTask MessageDelegate(MessageContext context);
