using System.Globalization;
using Microsoft.Extensions.Configuration;

using SocketDaemon.Configuration;
namespace SocketDaemon.Hosting.Configuration;

/// <summary>
/// Walks a configuration section against its <see cref="ConfigurationShape"/>: a key nothing reads is a problem that
/// names the nearest known key, and a value of the wrong form names the form it should have.
/// </summary>
internal static class ConfigurationChecker
{
    /// <summary>Every problem under <paramref name="section"/>; <paramref name="badValues"/> gets the paths of values the binder would refuse.</summary>
    public static List<string> Check(IConfigurationSection section, ConfigurationShape shape, ISet<string>? badValues = null)
    {
        var problems = new List<string>();
        new Walker(shape, problems, badValues).Walk(section, shape);
        return problems;
    }

    private sealed class Walker(ConfigurationShape root, List<string> problems, ISet<string>? badValues)
    {
        // Every key of the section's shape by its path, shortest first: a key misplaced as well as misspelt
        // ("MaxMesageBytes" at the top) is pointed to where it belongs ("Limits:MaxMessageBytes").
        private List<string>? _allPaths;

        public void Walk(IConfigurationSection section, ConfigurationShape shape)
        {
            switch (shape.Kind)
            {
                case ShapeKind.Any:
                    return;

                case ShapeKind.Value:
                    if (section.GetChildren().Any())
                    {
                        problems.Add($"{section.Path}: is {shape.Form!.Description}, not a section with keys");
                    }
                    else if (section.Value is { } value && !shape.Form!.Accepts(value))
                    {
                        problems.Add(shape.Form.Problem(section.Path, value));
                        badValues?.Add(section.Path);
                    }

                    return;

                case ShapeKind.Object:
                    RefuseValue(section, "a section with keys", problems);
                    foreach (var child in section.GetChildren())
                    {
                        if (shape.Properties.TryGetValue(child.Key, out var childShape))
                        {
                            Walk(child, childShape);
                        }
                        else
                        {
                            problems.Add($"{child.Path}: no such setting{Hint(child.Key, shape)}");
                        }
                    }

                    return;

                case ShapeKind.Map:
                    RefuseValue(section, "a section of names", problems);
                    foreach (var child in section.GetChildren())
                    {
                        Walk(child, shape.Item!);
                    }

                    return;

                case ShapeKind.List:
                case ShapeKind.Steps:
                    RefuseValue(section, "a list", problems);
                    foreach (var child in section.GetChildren())
                    {
                        if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                        {
                            problems.Add($"{child.Path}: is not an entry of the list {section.Key} (entries are numbered 0, 1, ...)");
                            continue;
                        }

                        var item = shape.Kind == ShapeKind.List ? shape.Item! : StepShape(child, shape);
                        if (item is not null)
                        {
                            Walk(child, item);
                        }
                    }

                    return;
            }
        }

        private string Hint(string key, ConfigurationShape shape)
        {
            if (NearestName.Find(key, shape.Properties.Keys) is { } sibling)
            {
                return $" (did you mean {sibling}?)";
            }

            _allPaths ??= [.. Paths(root, string.Empty).OrderBy(p => p.Length)];
            var leaves = _allPaths.Select(p => p[(p.LastIndexOf(':') + 1)..]).ToList();
            return NearestName.Find(key, leaves) is { } leaf ? $" (did you mean {_allPaths[leaves.IndexOf(leaf)]}?)" : string.Empty;
        }

        private static IEnumerable<string> Paths(ConfigurationShape shape, string prefix)
        {
            var properties = shape.Kind switch
            {
                ShapeKind.Object => shape.Properties,
                ShapeKind.Map => new Dictionary<string, ConfigurationShape> { ["NAME"] = shape.Item! },
                _ => new Dictionary<string, ConfigurationShape>(),
            };
            foreach (var (name, child) in properties)
            {
                var path = prefix + name;
                if (shape.Kind == ShapeKind.Object)
                {
                    yield return path;
                }

                foreach (var deeper in Paths(child, path + ":"))
                {
                    yield return deeper;
                }
            }
        }

        // A step's keys are its handler's; an unknown handler is reported by the validator, which lists the known ones.
        private static ConfigurationShape? StepShape(IConfigurationSection step, ConfigurationShape steps) =>
            step["Handler"] is { Length: > 0 } handler ? steps.StepShape!(handler) : null;

        private static void RefuseValue(IConfigurationSection section, string what, List<string> problems)
        {
            if (!string.IsNullOrEmpty(section.Value))
            {
                problems.Add($"{section.Path}: '{section.Value}' is a value, but this is {what}");
            }
        }
    }
}
