namespace SocketDaemon.Pipeline.Handlers;

/// <summary>What a <c>Filter</c> step does with the messages its conditions match.</summary>
public enum FilterAction
{
    /// <summary>Drops them; the others go on.</summary>
    Drop,

    /// <summary>Keeps only them; the others are dropped.</summary>
    Keep,
}
