using System.Globalization;
using Microsoft.Extensions.Configuration;

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
        Walk(section, shape, problems, badValues);
        return problems;
    }

    private static void Walk(IConfigurationSection section, ConfigurationShape shape, List<string> problems, ISet<string>? badValues)
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
                        Walk(child, childShape, problems, badValues);
                    }
                    else
                    {
                        problems.Add($"{child.Path}: no such setting{NearestName.Hint(child.Key, shape.Properties.Keys)}");
                    }
                }

                return;

            case ShapeKind.Map:
                RefuseValue(section, "a section of names", problems);
                foreach (var child in section.GetChildren())
                {
                    Walk(child, shape.Item!, problems, badValues);
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
                        Walk(child, item, problems, badValues);
                    }
                }

                return;
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
