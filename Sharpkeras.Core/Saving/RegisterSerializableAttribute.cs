namespace Sharpkeras.Saving;

/// <summary>
/// Marks a custom layer, model, loss, metric, optimizer, schedule, initializer, regularizer or constraint as
/// loadable by name (Keras's <c>@keras.saving.register_keras_serializable</c>). A saved model that uses the
/// class records its registered name <c>"package&gt;name"</c>, and <c>Model.Load</c> rebuilds it by calling
/// the public constructor whose parameters match the keys of its <c>GetConfig()</c> (snake_case of the
/// parameter names). Classes that are neither built in nor registered cannot be loaded.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class RegisterSerializableAttribute : Attribute
{
    /// <summary>Registers the class under <c>"package&gt;name"</c>.</summary>
    /// <param name="package">The package part of the registered name (Keras's default "Custom").</param>
    /// <param name="name">The name part (default: the class name).</param>
    public RegisterSerializableAttribute(string package = "Custom", string? name = null)
    {
        Package = package;
        Name = name;
    }

    /// <summary>The package part of the registered name.</summary>
    public string Package { get; }

    /// <summary>The name part of the registered name, or null for the class name.</summary>
    public string? Name { get; }
}
