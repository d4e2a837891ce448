using System.Reflection;
using SocketDaemon.Configuration;
using SocketDaemon.Connections;
using SocketDaemon.Nats;
using SocketDaemon.Pipeline;
using SocketDaemon.Pipeline.Handlers;
using SocketDaemon.Sinks;
using SocketDaemon.Transport;
using SocketDaemon.Systemd;
using SocketDaemon.Hosting;

namespace SocketDaemon.Tests.Configuration;

/// <summary>
/// Each options class's hand-written shape lists exactly the properties the binder sets, each with a form that fits
/// its type: a property added without its key would otherwise be refused as a key nothing reads.
/// </summary>
public class ConfigurationShapeTests
{
    public static TheoryData<Type, string> OptionsTypes()
    {
        var data = new TheoryData<Type, string>();
        foreach (var (type, _) in Shapes)
        {
            data.Add(type, type.Name);
        }

        return data;
    }

    private static readonly (Type Type, ConfigurationShape Shape)[] Shapes =
    [
        (typeof(SocketDaemonOptions), SocketDaemonOptions.Shape(_ => null)),
        (typeof(ListenerOptions), ListenerOptions.Shape()),
        (typeof(LimitsOptions), LimitsOptions.Shape()),
        (typeof(TlsOptions), TlsOptions.Shape()),
        (typeof(MinDataRateOptions), MinDataRateOptions.Shape()),
        (typeof(RateLimitOptions), RateLimitOptions.Shape()),
        (typeof(CommandsOptions), CommandsOptions.Shape()),
        (typeof(QuitCommandOptions), QuitCommandOptions.Shape()),
        (typeof(SystemdOptions), SystemdOptions.Shape()),
        (typeof(NatsOptions), NatsOptions.Shape()),
        (typeof(NatsStreamOptions), NatsStreamOptions.Shape()),
        (typeof(StepConditions), StepConditions.Shape()),
        (typeof(LogStepOptions), LogStepOptions.Shape()),
        (typeof(FilterStepOptions), FilterStepOptions.Shape()),
        (typeof(ExecStepOptions), ExecStepOptions.Shape()),
        (typeof(ForwardStepOptions), ForwardStepOptions.Shape()),
        (typeof(NatsStepOptions), NatsStepOptions.Shape()),
        (typeof(SerilogStepOptions), SerilogStepOptions.Shape()),
        (typeof(SocketDaemon.Pipeline.Parsing.ParseOptions), SocketDaemon.Pipeline.Parsing.ParseOptions.Shape()),
        (typeof(SocketDaemon.Pipeline.MessageLog.LogFileOptions), SocketDaemon.Pipeline.MessageLog.LogFileOptions.Shape()),
        (typeof(SocketDaemon.SyslogOutput.SyslogStepOptions), SocketDaemon.SyslogOutput.SyslogStepOptions.Shape()),
        (typeof(SocketDaemon.PostgresOutput.PostgresStepOptions), SocketDaemon.PostgresOutput.PostgresStepOptions.Shape()),
    ];

    [Theory]
    [MemberData(nameof(OptionsTypes))]
    public void The_shape_lists_every_bound_property_with_a_form_that_fits_its_type(Type type, string name)
    {
        var shape = Shapes.Single(s => s.Type == type).Shape;
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod?.IsPublic == true).ToList();

        // A pipeline step also has its Handler key.
        var expected = properties.Select(p => p.Name).Concat(typeof(StepConditions).IsAssignableFrom(type) || type == typeof(ExecStepOptions) || type == typeof(SocketDaemon.Pipeline.Parsing.ParseOptions) ? ["Handler"] : []);
        Assert.True(
            expected.Order().SequenceEqual(shape.Properties.Keys.Order()),
            $"{name}: properties {string.Join(", ", expected.Order())}; shape {string.Join(", ", shape.Properties.Keys.Order())}");
        foreach (var property in properties)
        {
            AssertFits(property.PropertyType, shape.Properties[property.Name], $"{name}.{property.Name}");
        }
    }

    [Fact]
    public void Every_options_class_of_the_daemon_has_a_shape()
    {
        var optionsClasses = typeof(SocketDaemonOptions).Assembly.GetTypes()
            .Where(t => t.IsPublic && t.IsClass && !t.IsAbstract && t.Name.EndsWith("Options", StringComparison.Ordinal) && t.GetConstructor(Type.EmptyTypes) is not null)
            .Where(t => t != typeof(PipelineStepOptions));

        Assert.Empty(optionsClasses.Except(Shapes.Select(s => s.Type)));
    }

    private static void AssertFits(Type type, ConfigurationShape shape, string where)
    {
        var scalar = Nullable.GetUnderlyingType(type) ?? type;
        if (scalar == typeof(string) || scalar.IsValueType)
        {
            Assert.True(shape.Kind == ShapeKind.Value, $"{where} is a value");
            var (valid, invalid) = Sample(scalar);
            Assert.True(shape.Form!.Accepts(valid), $"{where} takes '{valid}'");
            if (invalid is not null)
            {
                Assert.False(shape.Form.Accepts(invalid), $"{where} refuses '{invalid}'");
            }
        }
        else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            Assert.True(shape.Kind == ShapeKind.List || shape.Kind == ShapeKind.Steps, $"{where} is a list");
        }
        else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            Assert.True(shape.Kind == ShapeKind.Map, $"{where} is a map");
        }
        else
        {
            Assert.True(shape.Kind == ShapeKind.Object, $"{where} is a section");
        }
    }

    // A value of the type as configuration writes it, and one the binder would refuse.
    private static (string Valid, string? Invalid) Sample(Type type) =>
        type == typeof(string) ? ("text", null)
        : type == typeof(bool) ? ("true", "yes")
        : type == typeof(TimeSpan) ? ("00:00:05", "5s")
        : type == typeof(double) ? ("2.5", "fast")
        : type == typeof(uint) ? ("1000", "-1")
        : type == typeof(int) ? ("65536", "64k")
        : type == typeof(long) ? ("1073741824", "1g")
        : type.IsEnum ? (Enum.GetNames(type)[^1].ToLowerInvariant(), "no-such-value")
        : throw new InvalidOperationException($"no sample of {type}");
}
