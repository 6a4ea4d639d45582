using System.Reflection;

namespace Sharpkeras.Saving.KerasFormat;

/// <summary>
/// The call arguments a saved functional graph must remember besides the input tensors (Keras records them in each
/// inbound node's <c>kwargs</c>): <c>use_causal_mask</c> of Attention / AdditiveAttention / MultiHeadAttention.
/// Core does not reference the layer catalogue, so the layers are recognised by their built-in class and reached
/// through their public API (the <c>UseCausalMask</c> property and the <c>ApplyMulti</c> overload taking it).
/// </summary>
internal static class KerasCallArguments
{
    private const string AttentionType = "Sharpkeras.Layers.Attention";
    private const string MultiHeadAttentionType = "Sharpkeras.Layers.MultiHeadAttention";

    /// <summary>Whether <paramref name="layer"/>'s type is, or derives from, the built-in class <paramref name="fullName"/>.</summary>
    public static bool Is(Layer layer, string fullName)
    {
        for (var t = layer.GetType(); t != null; t = t.BaseType)
            if (t.FullName == fullName && t.Assembly.GetName().Name == "Sharpkeras.Layers") return true;
        return false;
    }

    /// <summary>Attention, AdditiveAttention: called on a list [query, value, key?].</summary>
    public static bool IsAttention(Layer layer) => Is(layer, AttentionType);

    /// <summary>MultiHeadAttention: called with query, value, key? and attention_mask? as separate arguments.</summary>
    public static bool IsMultiHeadAttention(Layer layer) => Is(layer, MultiHeadAttentionType);

    /// <summary>Recurrent layers and Bidirectional: called on the sequence, initial states as <c>initial_state</c>.</summary>
    public static bool TakesInitialState(Layer layer) => Is(layer, "Sharpkeras.Layers.RecurrentLayer") || Is(layer, "Sharpkeras.Layers.Bidirectional");

    private static bool Flag(Layer layer, string property) =>
        (IsAttention(layer) || IsMultiHeadAttention(layer)) && layer.GetType().GetProperty(property, BindingFlags.Public | BindingFlags.Instance)?.GetValue(layer) is true;

    /// <summary>Whether the attention layer was applied with <c>useCausalMask: true</c>.</summary>
    public static bool UsesCausalMask(Layer layer) => Flag(layer, "UseCausalMask");

    /// <summary>Whether the attention layer returns its scores as a second output.</summary>
    public static bool ReturnsAttentionScores(Layer layer) => Flag(layer, "ReturnAttentionScores");

    /// <summary>Applies <paramref name="layer"/> to <paramref name="inputs"/>, with <c>useCausalMask</c> for an attention layer.</summary>
    public static KerasTensor[] Apply(Layer layer, KerasTensor[] inputs, bool useCausalMask)
    {
        if (!useCausalMask) return layer.ApplyMulti(inputs);
        MethodInfo? method;
        object?[] args;
        if (IsAttention(layer))
        {
            method = layer.GetType().GetMethod("ApplyMulti", BindingFlags.Public | BindingFlags.Instance, [typeof(KerasTensor[]), typeof(bool)]);
            args = [inputs, true];
        }
        else if (IsMultiHeadAttention(layer))
        {
            // [query, value, key?, attention_mask?]: the mask is the bool tensor at the end.
            bool hasMask = inputs.Length >= 3 && inputs[^1].DType == TorchSharp.torch.ScalarType.Bool;
            int tensors = hasMask ? inputs.Length - 1 : inputs.Length;
            if (tensors is < 2 or > 3)
                throw new ArgumentException($"Layer '{layer.Name}' (MultiHeadAttention) takes a query, a value, an optional key and an optional bool attention mask; got {inputs.Length} inputs.");
            var kt = typeof(KerasTensor);
            method = layer.GetType().GetMethod("ApplyMulti", BindingFlags.Public | BindingFlags.Instance, [kt, kt, kt, kt, typeof(bool)]);
            args = [inputs[0], inputs[1], tensors == 3 ? inputs[2] : null, hasMask ? inputs[^1] : null, true];
        }
        else throw new ArgumentException($"Layer '{layer.Name}' ({layer.GetType().Name}) has no use_causal_mask call argument.");
        if (method is null) throw new InvalidOperationException($"Internal error: {layer.GetType().Name} has no ApplyMulti overload taking useCausalMask.");
        try { return (KerasTensor[])method.Invoke(layer, args)!; }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }
}
