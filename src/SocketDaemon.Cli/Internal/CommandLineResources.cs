using System.CommandLine;
using System.Globalization;
using System.Resources;
using System.Runtime.CompilerServices;

namespace SocketDaemon.Cli.Internal;

/// <summary>
/// System.CommandLine's resources, with the two that every start reads answered without the resource machinery.
/// </summary>
/// <remarks>
/// <see cref="RootCommand"/>'s constructor reads the descriptions of its help and version options. The first read
/// creates System.CommandLine's <see cref="ResourceManager"/>, which finds the assembly and its neutral resources
/// language by reflection: in a Native AOT process that first builds the reflection runtime, about a millisecond and
/// a half of every socketctl start (docs/performance.md, "socketctl start-up"). Every other string (help output,
/// parse errors) still comes from the real resources, created on first use.
/// </remarks>
internal sealed class CommandLineResources : ResourceManager
{
    /// <summary>The neutral (English) texts the resources hold; CommandLineResourcesTests checks they still do.</summary>
    internal static readonly IReadOnlyDictionary<string, string> Shortcuts = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["HelpOptionDescription"] = "Show help and usage information",
        ["VersionOptionDescription"] = "Show version information",
    };

    internal const string BaseNameOfResources = "System.CommandLine.Properties.Resources";

    private readonly Lazy<ResourceManager> _resources = new(() => new ResourceManager(BaseNameOfResources, typeof(RootCommand).Assembly));

    /// <summary>Makes System.CommandLine use these resources; false (and nothing changed) if its generated resource class no longer has the field.</summary>
    public static bool Install()
    {
        try
        {
            ResourceManagerField(null) ??= new CommandLineResources();
            return true;
        }
        catch (MissingMemberException)
        {
            return false;
        }
    }

    public override string? GetString(string name, CultureInfo? culture) =>
        IsNeutral(culture) && Shortcuts.TryGetValue(name, out var text) ? text : _resources.Value.GetString(name, culture);

    public override string? GetString(string name) => GetString(name, null);

    public override object? GetObject(string name, CultureInfo? culture) => _resources.Value.GetObject(name, culture);

    public override object? GetObject(string name) => _resources.Value.GetObject(name);

    public override ResourceSet? GetResourceSet(CultureInfo culture, bool createIfNotExists, bool tryParents) =>
        _resources.Value.GetResourceSet(culture, createIfNotExists, tryParents);

    // socketctl runs with invariant globalization, so the invariant culture is all it meets; English has no satellite
    // either. Another culture gets the real lookup.
    private static bool IsNeutral(CultureInfo? culture) => (culture ?? CultureInfo.CurrentUICulture) is { Name.Length: 0 } or { TwoLetterISOLanguageName: "en" };

    // The cache field every resx-generated class has (StronglyTypedResourceBuilder names it resourceMan).
    [UnsafeAccessor(UnsafeAccessorKind.StaticField, Name = "resourceMan")]
    private static extern ref ResourceManager? ResourceManagerField([UnsafeAccessorType(BaseNameOfResources + ", System.CommandLine")] object? resources);
}
