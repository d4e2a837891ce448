namespace SocketDaemon.Configuration;

/// <summary>The kinds of <see cref="ConfigurationShape"/>.</summary>
internal enum ShapeKind
{
    /// <summary>Anything.</summary>
    Any,

    /// <summary>One value.</summary>
    Value,

    /// <summary>Known keys.</summary>
    Object,

    /// <summary>Entries 0, 1, ....</summary>
    List,

    /// <summary>Entries under names the user chooses.</summary>
    Map,

    /// <summary>Pipeline steps, shaped by their <c>Handler</c>.</summary>
    Steps,
}
