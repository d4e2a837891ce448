using Microsoft.Extensions.Configuration;
using SocketDaemon.Configuration;
namespace SocketDaemon.Pipeline;

/// <summary>
/// A handler that the <c>Pipeline</c> configuration can name. Register one as a singleton to make your own
/// handler available: <c>services.AddSingleton(new MessageHandlerRegistration("Mine", (b, step) => b.Use(...)))</c>.
/// The built-in handlers also name their options type, the keys it reads and its validator.
/// </summary>
public sealed class MessageHandlerRegistration
{
    /// <summary>Registers <paramref name="name"/>; <paramref name="add"/> adds the handler for one configured step.</summary>
    /// <remarks>The step's other keys are the handler's to read: they are not checked against a schema.</remarks>
    public MessageHandlerRegistration(string name, Action<IMessagePipelineBuilder, PipelineStepOptions> add)
        : this(name, add, ConfigurationShape.Any, null, null)
    {
    }

    private MessageHandlerRegistration(
        string name,
        Action<IMessagePipelineBuilder, PipelineStepOptions> add,
        ConfigurationShape shape,
        Func<IConfigurationSection, object>? bind,
        Action<PipelineStepValidation, object?>? validate)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(add);
        Name = name;
        Add = add;
        Shape = shape;
        Bind = bind;
        Validate = validate;
    }

    /// <summary>The name configuration uses in <c>Handler</c>.</summary>
    public string Name { get; }

    /// <summary>Adds the handler for one step to the builder.</summary>
    public Action<IMessagePipelineBuilder, PipelineStepOptions> Add { get; }

    /// <summary>The keys a step of this handler may have, and the form of their values.</summary>
    internal ConfigurationShape Shape { get; }

    /// <summary>Binds a step's section to the handler's options type; <see langword="null"/> when it has none.</summary>
    internal Func<IConfigurationSection, object>? Bind { get; }

    /// <summary>Checks a step's bound options (<see langword="null"/>: the defaults).</summary>
    internal Action<PipelineStepValidation, object?>? Validate { get; }

    /// <summary>
    /// A handler with options of type <typeparamref name="TOptions"/>, read from the step's keys of
    /// <paramref name="shape"/> by <paramref name="bind"/> (a configuration-binder call the source generator sees),
    /// checked by <paramref name="validator"/>.
    /// </summary>
    internal static MessageHandlerRegistration Create<TOptions>(
        string name,
        ConfigurationShape shape,
        Func<IConfigurationSection, TOptions> bind,
        IPipelineStepValidator<TOptions>? validator,
        Action<IMessagePipelineBuilder, TOptions> add)
        where TOptions : class, new()
    {
        ArgumentNullException.ThrowIfNull(bind);
        ArgumentNullException.ThrowIfNull(add);
        return new MessageHandlerRegistration(
            name,
            (builder, step) => add(builder, step.Settings as TOptions ?? new TOptions()),
            shape,
            bind,
            validator is null ? null : (step, options) => validator.Validate(step, options as TOptions ?? new TOptions()));
    }

    /// <summary>A handler that takes no settings: a step naming it has <c>Handler</c> alone.</summary>
    internal static MessageHandlerRegistration WithoutOptions(string name, Action<IMessagePipelineBuilder> add)
    {
        ArgumentNullException.ThrowIfNull(add);
        return new MessageHandlerRegistration(name, (builder, _) => add(builder), StepConditions.HandlerOnly(), null, null);
    }
}
