using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras;

/// <summary>
/// A layer weight (Keras's <c>keras.Variable</c>): a TorchSharp <see cref="TorchSharp.Modules.Parameter"/> when trainable,
/// a registered buffer when not. Layers keep a reference to the variable, never to the tensor,
/// because <c>Module.to(device)</c> replaces the tensors.
/// </summary>
public sealed class KerasVariable
{
    internal KerasVariable(Layer owner, string name, long[] kerasShape, bool trainable, Regularizers.Regularizer? regularizer,
        Constraints.Constraint? constraint, int[]? kerasToTorchPermutation)
    {
        Owner = owner;
        Name = name;
        KerasShape = kerasShape;
        Trainable = trainable;
        Regularizer = regularizer;
        Constraint = constraint;
        KerasToTorchPermutation = kerasToTorchPermutation;
        if (kerasToTorchPermutation != null)
        {
            TorchToKerasPermutation = new int[kerasToTorchPermutation.Length];
            for (int i = 0; i < kerasToTorchPermutation.Length; i++) TorchToKerasPermutation[kerasToTorchPermutation[i]] = i;
            _toTorch = kerasToTorchPermutation.Select(i => (long)i).ToArray();
            _toKeras = TorchToKerasPermutation.Select(i => (long)i).ToArray();
        }
    }

    private readonly long[]? _toTorch, _toKeras;

    /// <summary>A tensor in this weight's stored (torch) layout viewed in Keras's layout (no copy; itself when they agree).</summary>
    internal Tensor InKerasLayout(Tensor torchLayout) => _toKeras is null ? torchLayout : torchLayout.permute(_toKeras);

    /// <summary>A tensor in this weight's Keras layout viewed in the stored (torch) layout (no copy; itself when they agree).</summary>
    internal Tensor InTorchLayout(Tensor kerasLayout) => _toTorch is null ? kerasLayout : kerasLayout.permute(_toTorch);

    /// <summary>The layer that owns this weight.</summary>
    public Layer Owner { get; }

    /// <summary>The weight's name inside its layer ("kernel", "bias", "moving_mean", …).</summary>
    public string Name { get; }

    /// <summary>The weight's path: "layer_name/weight_name" (as in Keras's weight files).</summary>
    public string Path => $"{Owner.Name}/{Name}";

    /// <summary>Shape in Keras's layout (e.g. Conv2D kernel: kh, kw, in, out).</summary>
    public long[] KerasShape { get; }

    /// <summary>Whether the weight was created trainable (before any freezing of its layer).</summary>
    public bool DeclaredTrainable { get; internal init; }

    /// <summary>Whether the optimizer updates it (also false when the owning layer is frozen).</summary>
    public bool Trainable { get; internal set; }

    /// <summary>Penalty added to the loss for this weight, if any.</summary>
    public Regularizers.Regularizer? Regularizer { get; }

    /// <summary>Constraint applied after each optimizer step, if any.</summary>
    public Constraints.Constraint? Constraint { get; }

    /// <summary>When the stored (torch) layout differs from Keras's: stored = keras.permute(this).</summary>
    public int[]? KerasToTorchPermutation { get; }

    internal int[]? TorchToKerasPermutation { get; }

    private Tensor _value = null!;

    /// <summary>
    /// The live tensor (torch layout), as registered in the owning module. While a mixed-precision layer runs (Keras's
    /// autocast scope) a floating-point weight with <see cref="Autocast"/> reads as a differentiable copy cast to that
    /// layer's compute type, as Keras's <c>variable.value</c> does; everywhere else it is the stored tensor itself.
    /// </summary>
    public Tensor Value
    {
        get
        {
            var v = _value;
            if (Layer.AutocastScope is ScalarType scope && Autocast)
            {
                var t = v.dtype;
                if (t != scope && t.IsFloat()) return v.to(scope);
            }
            return v;
        }
        internal set => _value = value;
    }

    /// <summary>The stored tensor, never cast (for in-place updates, the optimizer and saving).</summary>
    internal Tensor Raw => _value;

    /// <summary>
    /// Whether the weight is read cast to the compute type inside a mixed-precision layer's call (Keras's
    /// <c>autocast</c>; false for statistics a layer updates in place, such as BatchNormalization's).
    /// </summary>
    public bool Autocast { get; internal init; } = true;

    /// <summary>
    /// Projects the value with its <see cref="Constraint"/> (no-op without one), in place. The constraint sees the
    /// weight in Keras's layout, so its axes mean what they mean in Keras. Call under <c>torch.no_grad()</c>.
    /// </summary>
    internal void ApplyConstraint()
    {
        if (Constraint is null) return;
        using var projected = Constraint.Call(InKerasLayout(Raw));
        Raw.copy_(InTorchLayout(projected));
    }

    /// <summary>A copy of the value in Keras's layout, detached, on the CPU.</summary>
    public Tensor ToKerasLayout()
    {
        using var _ = torch.no_grad();
        return InKerasLayout(Raw.detach()).to(torch.CPU).contiguous().clone();
    }

    /// <summary>Assigns a value given in Keras's layout (copied in place; shape checked).</summary>
    /// <param name="kerasValue">The new value in Keras's layout (e.g. a Dense kernel as (inputDim, units)); any dtype or device, it is converted. The caller keeps ownership.</param>
    /// <exception cref="System.ArgumentException">The value's shape differs from the variable's Keras shape.</exception>
    public void Assign(Tensor kerasValue)
    {
        ArgumentNullException.ThrowIfNull(kerasValue);
        if (!kerasValue.shape.SequenceEqual(KerasShape))
            throw new ArgumentException(
                $"Weight '{Path}' expects shape ({string.Join(", ", KerasShape)}), got ({string.Join(", ", kerasValue.shape)}).", nameof(kerasValue));
        using var _ = torch.no_grad();
        Raw.copy_(InTorchLayout(kerasValue).to(Raw.dtype, Raw.device));
    }

    /// <inheritdoc />
    public override string ToString() => $"<KerasVariable {Path} shape=({string.Join(", ", KerasShape)}) trainable={Trainable}>";
}
