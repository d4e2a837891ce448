using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace SocketDaemon.PostgresOutput;

/// <summary>
/// A table name from the configuration, <c>name</c> or <c>schema.name</c>, only ever put into SQL quoted
/// (<see href="https://www.postgresql.org/docs/15/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS"/>): a name is used
/// as written, and no name can end the identifier early.
/// </summary>
public sealed record PostgresTableName(string? Schema, string Name)
{
    // NAMEDATALEN - 1: PostgreSQL would cut a longer identifier, silently naming another table.
    private const int MaxIdentifierBytes = 63;

    /// <summary>The table, quoted (with its schema when given): <c>"logs"."messages"</c>.</summary>
    public string Quoted => Schema is null ? Quote(Name) : $"{Quote(Schema)}.{Quote(Name)}";

    /// <summary>Another object of the table's schema, named after it with <paramref name="suffix"/>, quoted.</summary>
    public string Sibling(string suffix)
    {
        var name = Name + suffix;
        while (Encoding.UTF8.GetByteCount(name) > MaxIdentifierBytes)
        {
            name = name[..^(suffix.Length + 1)] + suffix;
        }

        return Schema is null ? Quote(name) : $"{Quote(Schema)}.{Quote(name)}";
    }

    /// <summary>The name alone of a sibling (<see cref="Sibling"/>), quoted: an index is named without its schema.</summary>
    public string SiblingName(string suffix)
    {
        var qualified = Sibling(suffix);
        return Schema is null ? qualified : qualified[(Quote(Schema).Length + 1)..];
    }

    /// <summary>Reads <paramref name="text"/>; <paramref name="problem"/> says why it is not a table name.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out PostgresTableName? table, [NotNullWhen(false)] out string? problem)
    {
        table = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "a table name is needed, such as messages or logs.messages";
            return false;
        }

        var parts = text.Split('.');
        if (parts.Length > 2)
        {
            problem = $"'{text}' is not a table name: name or schema.name (a dot separates the schema)";
            return false;
        }

        foreach (var part in parts)
        {
            if (part.Length == 0 || part.Contains('\0', StringComparison.Ordinal) || part.Any(char.IsControl))
            {
                problem = $"'{text}' is not a table name: each part needs at least one character and no control character";
                return false;
            }

            if (Encoding.UTF8.GetByteCount(part) > MaxIdentifierBytes)
            {
                problem = $"'{part}' is longer than PostgreSQL's {MaxIdentifierBytes}-byte identifiers";
                return false;
            }
        }

        table = parts.Length == 2 ? new PostgresTableName(parts[0], parts[1]) : new PostgresTableName(null, parts[0]);
        problem = null;
        return true;
    }

    /// <summary>An identifier in double quotes, its double quotes doubled.</summary>
    public static string Quote(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        return "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <inheritdoc />
    public override string ToString() => Schema is null ? Name : $"{Schema}.{Name}";
}
