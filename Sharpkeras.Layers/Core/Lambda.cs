using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Wraps an arbitrary function of tensors as a layer (Keras's <c>Lambda</c>), for Sequential and Functional models:
/// <c>new Lambda(x => x * x)</c>, or over several inputs <c>Lambda.OnInputs(xs => xs[0] - xs[1])</c>. The function must
/// use TorchSharp operations on its arguments so gradients flow. The output shape is given by <c>outputShape</c>
/// (batch excluded, or a function of the full input shape), or else inferred like Keras by running the function
/// once on small zero tensors (unknown sizes become null). Integer inputs are passed as they are.
/// </summary>
/// <remarks>
/// <para>A Lambda is not serializable: its configuration holds a .NET delegate, which cannot be written to a file
/// and rebuilt (Keras saves Python bytecode instead). <see cref="GetConfig"/> describes the function by name only,
/// for inspection; a model containing a Lambda can save and load its weights (<c>SaveWeights</c>/<c>LoadWeights</c>)
/// but its architecture must be rebuilt in code. For a saveable custom operation, subclass <see cref="Layer"/>.</para>
/// <para>Masks: without a <c>mask</c> function the output has no mask (Keras's default); with one, the output mask
/// is <c>mask(inputs, inputMask)</c>.</para>
/// </remarks>
public sealed class Lambda : Layer
{
    private readonly Func<Tensor, Tensor>? _function;
    private readonly Func<Tensor[], Tensor>? _multiFunction;
    private readonly int?[]? _outputShape;
    private readonly Func<int?[], int?[]>? _outputShapeFunction;
    private readonly Func<Tensor, Tensor?, Tensor?>? _mask;

    /// <summary>Wraps a function of one tensor.</summary>
    /// <param name="function">The function, applied to the (batched) input.</param>
    /// <param name="outputShape">The output shape without the batch dimension, or null to infer it by running.</param>
    /// <param name="mask">Optional output-mask function of (inputs, input mask); null gives no output mask.</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public Lambda(Func<Tensor, Tensor> function, int?[]? outputShape = null, Func<Tensor, Tensor?, Tensor?>? mask = null,
        int?[]? inputShape = null, string? name = null)
        : base(name, inputShape: inputShape)
    {
        _function = function ?? throw new ArgumentNullException(nameof(function));
        _outputShape = CheckShape(outputShape);
        _mask = mask;
        Init();
    }

    /// <summary>Wraps a function of one tensor whose output shape is computed from the full input shape.</summary>
    /// <param name="function">The function, applied to the (batched) input.</param>
    /// <param name="outputShape">Maps the input shape (batch first, as null) to the output shape (batch first).</param>
    /// <param name="mask">Optional output-mask function of (inputs, input mask); null gives no output mask.</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public Lambda(Func<Tensor, Tensor> function, Func<int?[], int?[]> outputShape, Func<Tensor, Tensor?, Tensor?>? mask = null,
        int?[]? inputShape = null, string? name = null)
        : base(name, inputShape: inputShape)
    {
        _function = function ?? throw new ArgumentNullException(nameof(function));
        _outputShapeFunction = outputShape ?? throw new ArgumentNullException(nameof(outputShape));
        _mask = mask;
        Init();
    }

    private Lambda(Func<Tensor[], Tensor> function, int?[]? outputShape, string? name) : base(name)
    {
        _multiFunction = function ?? throw new ArgumentNullException(nameof(function));
        _outputShape = CheckShape(outputShape);
        Init();
    }

    /// <summary>
    /// Wraps a function of several tensors, for a Lambda applied to a list of inputs as in Keras:
    /// <c>Lambda.OnInputs(xs =&gt; xs[0] * xs[1]).Apply(a, b)</c>. (A factory rather than a constructor, because a C#
    /// lambda such as <c>xs =&gt; xs[0]</c> would fit both a one-tensor and a tensor-array delegate.)
    /// </summary>
    /// <param name="function">The function, applied to the (batched) inputs in order.</param>
    /// <param name="outputShape">The output shape without the batch dimension, or null to infer it by running.</param>
    /// <param name="name">Layer name.</param>
    public static Lambda OnInputs(Func<Tensor[], Tensor> function, int?[]? outputShape = null, string? name = null)
        => new(function, outputShape, name);

    private void Init()
    {
        AcceptsIntegerInput = true;
        SupportsMasking = _mask is not null;
    }

    private static int?[]? CheckShape(int?[]? shape)
    {
        if (shape is not null && shape.Any(d => d is < 0))
            throw new ArgumentException($"Lambda: outputShape dimensions must be >= 0 or null; got {ShapeUtils.Format(shape)}.", "outputShape");
        return shape is null ? null : (int?[])shape.Clone();
    }

    /// <summary>The declared output shape without the batch dimension, or null.</summary>
    public int?[]? DeclaredOutputShape => _outputShape is null ? null : (int?[])_outputShape.Clone();

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training) =>
        _function is not null ? _function(inputs) : _multiFunction!([inputs]);

    /// <inheritdoc />
    public override Tensor Call(Tensor[] inputs, bool training)
    {
        if (_multiFunction is not null) return _multiFunction(inputs);
        if (inputs.Length != 1)
            throw new ArgumentException(
                $"Layer '{Name}' (Lambda) wraps a function of one tensor but was called on {inputs.Length} inputs; use Lambda.OnInputs for several.", nameof(inputs));
        return _function!(inputs[0]);
    }

    /// <inheritdoc />
    public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => _mask?.Invoke(inputs, mask);

    /// <inheritdoc />
    public override (int?[] shape, ScalarType dtype)[] ComputeOutputShapes(int?[][] inputShapes, ScalarType[] inputTypes)
    {
        if (_function is not null && inputShapes.Length != 1)
            throw new ArgumentException(
                $"Layer '{Name}' (Lambda) wraps a function of one tensor but was applied to {inputShapes.Length} inputs; use Lambda.OnInputs for several.", "inputs");
        if (_outputShapeFunction is not null)
        {
            var s = _outputShapeFunction((int?[])inputShapes[0].Clone())
                    ?? throw new InvalidOperationException($"Layer '{Name}' (Lambda): the outputShape function returned null.");
            return [(s, ReshapingArgs.KeepType(this, inputTypes[0]))];
        }
        if (_outputShape is not null)
        {
            int? batch = inputShapes.Length > 0 && inputShapes[0].Length > 0 ? inputShapes[0][0] : null;
            return [([batch, .. _outputShape], ReshapingArgs.KeepType(this, inputTypes[0]))];
        }
        try
        {
            return base.ComputeOutputShapes(inputShapes, inputTypes);
        }
        catch (Exception e) when (e is not ArgumentException and not InvalidOperationException)
        {
            throw new InvalidOperationException(
                $"Layer '{Name}' (Lambda): could not infer the output shape by running the function on inputs of shape " +
                $"{string.Join(", ", inputShapes.Select(ShapeUtils.Format))} ({e.Message}). Pass outputShape.", e);
        }
    }

    /// <summary>
    /// The configuration, for inspection only: "function" names the delegate's method, and "output_shape" is the
    /// declared shape (if any). A Lambda cannot be rebuilt from it (see the class remarks).
    /// </summary>
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        var m = (_function as Delegate ?? _multiFunction!).Method;
        c["function"] = $"{m.DeclaringType?.FullName}.{m.Name}";
        if (_outputShape is not null) c["output_shape"] = (int?[])_outputShape.Clone();
        return c;
    }
}
