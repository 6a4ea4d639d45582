using Sharpkeras.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Multi-head attention (Keras's <c>MultiHeadAttention</c>, "Attention is all you need"). The query, key
/// and value are projected per head by the sub-layers "query" (kernel (d, numHeads, keyDim), bias
/// (numHeads, keyDim)), "key", "value" (kernel (d, numHeads, valueDim)); the scaled dot products
/// <c>softmax(q·kᵀ / √keyDim)</c> weight the values; "attention_output" (kernel (numHeads, valueDim, d),
/// bias (d)) projects the heads back to the query's feature size (or to <c>outputShape</c>).
/// </summary>
/// <remarks>
/// <para>Inputs, in order: <c>query</c> (B, T, dim), <c>value</c> (B, S, dim), optionally <c>key</c> (B, S, dim)
/// (the value is used as key when absent), optionally a <b>bool</b> attention mask (B, T, S) as the last input
/// (true = may attend). Use <see cref="Apply(KerasTensor, KerasTensor, KerasTensor?, KerasTensor?, bool)"/> in the
/// Functional API and <see cref="Apply(Tensor, Tensor, Tensor?, Tensor?, bool, bool)"/> on real tensors.</para>
/// <para>Masks made by earlier layers (e.g. <c>Embedding(maskZero: true)</c>) on the query, value and key are
/// combined with the attention mask like Keras does; the output carries the query's mask.</para>
/// <para>With <c>returnAttentionScores: true</c> the layer has two outputs, [output, scores] where the scores are the
/// attention probabilities (softmax after masking, before dropout, as Keras returns them) of shape
/// (B, numHeads, T, S) for rank-3 inputs (in general (B, &lt;non-attention dims&gt;, numHeads, &lt;query attention dims&gt;,
/// &lt;key attention dims&gt;)); use <c>ApplyMulti</c> (symbolic or eager) to get both — <c>Apply</c> returns the output
/// only. Keras passes <c>return_attention_scores</c> at call time; here it is a constructor argument (saved in the
/// config as <c>return_attention_scores</c>) so the layer's outputs are fixed for the graph.</para>
/// </remarks>
public sealed class MultiHeadAttention : Layer
{
    private readonly int[]? _outputShape;
    private readonly int[]? _attentionAxesArg;
    private readonly Generator? _dropoutGenerator;
    private AttentionProjection? _query;
    private AttentionProjection? _key;
    private AttentionProjection? _value;
    private AttentionProjection? _output;
    private int[]? _attentionAxes;
    private string _dotEquation = "";
    private string _combineEquation = "";
    private int _projectedRank;
    private Layout? _pendingLayout;
    private bool? _graphUseCausalMask;
    private bool? _callUseCausalMask;

    private readonly record struct Layout(int Query, int Value, int Key, int Mask);

    /// <summary>Creates the layer.</summary>
    /// <param name="numHeads">Number of attention heads (&gt; 0).</param>
    /// <param name="keyDim">Size of each head for query and key (&gt; 0).</param>
    /// <param name="valueDim">Size of each head for value (default <paramref name="keyDim"/>).</param>
    /// <param name="dropout">Dropout rate on the attention probabilities, in [0, 1).</param>
    /// <param name="useBias">Whether the projections have biases.</param>
    /// <param name="outputShape">The output's trailing shape (default: the query's last dimension).</param>
    /// <param name="attentionAxes">Axes attention is applied over (default: all but batch, heads and features).</param>
    /// <param name="kernelInitializer">Initializer of the projection kernels (default "glorot_uniform").</param>
    /// <param name="biasInitializer">Initializer of the projection biases (default "zeros").</param>
    /// <param name="kernelRegularizer">Regularizer of the projection kernels.</param>
    /// <param name="biasRegularizer">Regularizer of the projection biases.</param>
    /// <param name="activityRegularizer">Regularizer of the projections' outputs.</param>
    /// <param name="kernelConstraint">Constraint of the projection kernels.</param>
    /// <param name="biasConstraint">Constraint of the projection biases.</param>
    /// <param name="seed">Optional seed of the attention dropout.</param>
    /// <param name="name">Layer name.</param>
    /// <param name="returnAttentionScores">Whether the layer has a second output, the attention probabilities (B, numHeads, T, S).</param>
    public MultiHeadAttention(int numHeads, int keyDim, int? valueDim = null, double dropout = 0.0, bool useBias = true,
        int[]? outputShape = null, int[]? attentionAxes = null, object? kernelInitializer = null, object? biasInitializer = null,
        object? kernelRegularizer = null, object? biasRegularizer = null, object? activityRegularizer = null,
        object? kernelConstraint = null, object? biasConstraint = null, int? seed = null, string? name = null,
        bool returnAttentionScores = false)
        : base(name)
    {
        if (numHeads <= 0)
            throw new ArgumentOutOfRangeException(nameof(numHeads), numHeads, $"MultiHeadAttention: numHeads must be a positive integer; got {numHeads}.");
        if (keyDim <= 0)
            throw new ArgumentOutOfRangeException(nameof(keyDim), keyDim, $"MultiHeadAttention: keyDim must be a positive integer; got {keyDim}.");
        if (valueDim is <= 0)
            throw new ArgumentOutOfRangeException(nameof(valueDim), valueDim, $"MultiHeadAttention: valueDim must be a positive integer or null; got {valueDim}.");
        if (!(dropout >= 0 && dropout < 1))
            throw new ArgumentOutOfRangeException(nameof(dropout), dropout, $"MultiHeadAttention: dropout must be in [0, 1); got {dropout}.");
        if (outputShape != null && (outputShape.Length == 0 || outputShape.Any(d => d <= 0)))
            throw new ArgumentException($"MultiHeadAttention: outputShape must be a non-empty list of positive integers; got [{string.Join(", ", outputShape)}].", nameof(outputShape));
        if (attentionAxes != null && attentionAxes.Length == 0)
            throw new ArgumentException("MultiHeadAttention: attentionAxes must name at least one axis, or be null for the default.", nameof(attentionAxes));
        NumHeads = numHeads;
        KeyDim = keyDim;
        ValueDim = valueDim ?? keyDim;
        Dropout = dropout;
        UseBias = useBias;
        _outputShape = outputShape?.ToArray();
        _attentionAxesArg = attentionAxes?.ToArray();
        KernelInitializer = Initializers.Initializer.Get(kernelInitializer ?? "glorot_uniform");
        BiasInitializer = Initializers.Initializer.Get(biasInitializer ?? "zeros");
        KernelRegularizer = Regularizers.Regularizer.Get(kernelRegularizer);
        BiasRegularizer = Regularizers.Regularizer.Get(biasRegularizer);
        ActivityRegularizer = Regularizers.Regularizer.Get(activityRegularizer);
        KernelConstraint = Constraints.Constraint.Get(kernelConstraint);
        BiasConstraint = Constraints.Constraint.Get(biasConstraint);
        Seed = seed;
        ReturnAttentionScores = returnAttentionScores;
        if (seed is int s) _dropoutGenerator = new Generator((ulong)s, torch.CPU);
        SupportsMasking = true;
    }

    /// <summary>Number of attention heads.</summary>
    public int NumHeads { get; }

    /// <summary>Size of each head for query and key.</summary>
    public int KeyDim { get; }

    /// <summary>Size of each head for value.</summary>
    public int ValueDim { get; }

    /// <summary>Dropout rate on the attention probabilities.</summary>
    public double Dropout { get; }

    /// <summary>Whether the projections have biases.</summary>
    public bool UseBias { get; }

    /// <summary>The attention axes: as given before build, normalized (non-negative, on the projected tensors) after.</summary>
    public IReadOnlyList<int>? AttentionAxes => _attentionAxes ?? _attentionAxesArg;

    /// <summary>Seed of the attention dropout, if any.</summary>
    public int? Seed { get; }

    /// <summary>Whether the layer returns [output, attention scores] (two outputs).</summary>
    public bool ReturnAttentionScores { get; }

    /// <summary>
    /// Whether the layer was applied in a functional graph with <c>useCausalMask: true</c> (Keras's call argument
    /// <c>use_causal_mask</c>); false when it has not been applied symbolically. Read by exporters and savers.
    /// </summary>
    public bool UseCausalMask => _graphUseCausalMask ?? false;

    /// <summary>Initializer of the projection kernels.</summary>
    public Initializers.Initializer KernelInitializer { get; }

    /// <summary>Initializer of the projection biases.</summary>
    public Initializers.Initializer BiasInitializer { get; }

    /// <summary>Regularizer of the projection kernels.</summary>
    public Regularizers.Regularizer? KernelRegularizer { get; }

    /// <summary>Regularizer of the projection biases.</summary>
    public Regularizers.Regularizer? BiasRegularizer { get; }

    /// <summary>
    /// Regularizer of the projections' outputs (Keras applies it inside the query/key/value/output projections,
    /// not to the layer's own output, so it hides <see cref="Layer.ActivityRegularizer"/>).
    /// </summary>
    public new Regularizers.Regularizer? ActivityRegularizer { get; }

    /// <summary>Constraint of the projection kernels.</summary>
    public Constraints.Constraint? KernelConstraint { get; }

    /// <summary>Constraint of the projection biases.</summary>
    public Constraints.Constraint? BiasConstraint { get; }

    /// <summary>The "query" projection sub-layer (after build).</summary>
    public Layer QueryDense => _query ?? throw NotBuilt();

    /// <summary>The "key" projection sub-layer (after build).</summary>
    public Layer KeyDense => _key ?? throw NotBuilt();

    /// <summary>The "value" projection sub-layer (after build).</summary>
    public Layer ValueDense => _value ?? throw NotBuilt();

    /// <summary>The "attention_output" projection sub-layer (after build).</summary>
    public Layer OutputDense => _output ?? throw NotBuilt();

    private InvalidOperationException NotBuilt() => new($"Layer '{Name}' (MultiHeadAttention) is not built yet: apply it to a query and a value first.");

    // ------------------------------------------------------------------------------------ apply

    /// <summary>
    /// Applies the layer in the Functional API (Keras's <c>mha(query, value, key, attention_mask=…, use_causal_mask=…)</c>).
    /// </summary>
    /// <param name="query">Query (B, T, dim).</param>
    /// <param name="value">Value (B, S, dim).</param>
    /// <param name="key">Optional key (B, S, dim); the value is used when null.</param>
    /// <param name="attentionMask">Optional bool mask (B, T, S): true where query position t may attend to key position s.</param>
    /// <param name="useCausalMask">Whether position t may only attend to positions s &lt;= t (decoder self-attention).
    /// Recorded on the layer for the graph: applying the same layer again with a different value throws.</param>
    public KerasTensor Apply(KerasTensor query, KerasTensor value, KerasTensor? key = null, KerasTensor? attentionMask = null, bool useCausalMask = false)
        => ApplyMulti(query, value, key, attentionMask, useCausalMask)[0];

    /// <summary>Like <see cref="Apply(KerasTensor, KerasTensor, KerasTensor?, KerasTensor?, bool)"/>, returning all outputs
    /// ([output, scores] with <see cref="ReturnAttentionScores"/>).</summary>
    /// <param name="query">Query (B, T, dim).</param>
    /// <param name="value">Value (B, S, dim).</param>
    /// <param name="key">Optional key (B, S, dim); the value is used when null.</param>
    /// <param name="attentionMask">Optional bool mask (B, T, S): true where query position t may attend to key position s.</param>
    /// <param name="useCausalMask">Whether position t may only attend to positions s &lt;= t (recorded on the layer for the graph).</param>
    public KerasTensor[] ApplyMulti(KerasTensor query, KerasTensor value, KerasTensor? key, KerasTensor? attentionMask, bool useCausalMask)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(value);
        if (attentionMask != null && attentionMask.DType != ScalarType.Bool)
            throw new ArgumentException($"Layer '{Name}' (MultiHeadAttention): attentionMask must be a bool tensor; got {DTypeName(attentionMask.DType)}.", nameof(attentionMask));
        if (_graphUseCausalMask is bool b && b != useCausalMask)
            throw new InvalidOperationException(
                $"Layer '{Name}' (MultiHeadAttention) was already applied with useCausalMask: {b.ToString().ToLowerInvariant()}; use a separate layer for useCausalMask: {useCausalMask.ToString().ToLowerInvariant()}.");
        var list = new List<KerasTensor> { query, value };
        if (key != null) list.Add(key);
        if (attentionMask != null) list.Add(attentionMask);
        _pendingLayout = MakeLayout(key != null, attentionMask != null);
        try
        {
            var outs = ApplyMulti(list.ToArray());
            _graphUseCausalMask = useCausalMask;
            return outs;
        }
        finally { _pendingLayout = null; }
    }

    /// <summary>Runs the layer on real tensors (building it on first use).</summary>
    /// <param name="query">Query (B, T, dim).</param>
    /// <param name="value">Value (B, S, dim).</param>
    /// <param name="key">Optional key (B, S, dim); the value is used when null.</param>
    /// <param name="attentionMask">Optional bool mask (B, T, S): true where query position t may attend to key position s.</param>
    /// <param name="useCausalMask">Whether position t may only attend to positions s &lt;= t.</param>
    /// <param name="training">Training mode (attention dropout active).</param>
    public Tensor Apply(Tensor query, Tensor value, Tensor? key = null, Tensor? attentionMask = null, bool useCausalMask = false, bool training = false)
        => ApplyMulti(query, value, key, attentionMask, useCausalMask, training)[0];

    /// <summary>Like <see cref="Apply(Tensor, Tensor, Tensor?, Tensor?, bool, bool)"/>, returning all outputs
    /// ([output, scores] with <see cref="ReturnAttentionScores"/>).</summary>
    /// <param name="query">Query (B, T, dim).</param>
    /// <param name="value">Value (B, S, dim).</param>
    /// <param name="key">Optional key (B, S, dim); the value is used when null.</param>
    /// <param name="attentionMask">Optional bool mask (B, T, S): true where query position t may attend to key position s.</param>
    /// <param name="useCausalMask">Whether position t may only attend to positions s &lt;= t.</param>
    /// <param name="training">Training mode (attention dropout active).</param>
    public Tensor[] ApplyMulti(Tensor query, Tensor value, Tensor? key, Tensor? attentionMask, bool useCausalMask, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(value);
        if (attentionMask is not null && attentionMask.dtype != ScalarType.Bool)
            throw new ArgumentException($"Layer '{Name}' (MultiHeadAttention): attentionMask must be a bool tensor; got {DTypeName(attentionMask.dtype)}.", nameof(attentionMask));
        var list = new List<Tensor> { query, value };
        if (key is not null) list.Add(key);
        if (attentionMask is not null) list.Add(attentionMask);
        var previous = _callUseCausalMask;
        _callUseCausalMask = useCausalMask;
        _pendingLayout = MakeLayout(key is not null, attentionMask is not null);
        try { return ApplyMulti(list.ToArray(), training); }
        finally
        {
            _callUseCausalMask = previous;
            _pendingLayout = null;
        }
    }

    private static Layout MakeLayout(bool hasKey, bool hasMask) =>
        new(0, 1, hasKey ? 2 : -1, hasMask ? (hasKey ? 3 : 2) : -1);

    private Layout ParseLayout(ScalarType[] types)
    {
        if (types.Length < 2 || types.Length > 4)
            throw new ArgumentException(
                $"Layer '{Name}' (MultiHeadAttention) takes [query, value] or [query, value, key], optionally followed by a bool attention mask; got {types.Length} input(s).");
        int mask = types[^1] == ScalarType.Bool ? types.Length - 1 : -1;
        int n = mask >= 0 ? types.Length - 1 : types.Length;
        if (n < 2 || n > 3)
            throw new ArgumentException(
                $"Layer '{Name}' (MultiHeadAttention) takes [query, value] or [query, value, key], optionally followed by a bool attention mask; got {types.Length} inputs ({string.Join(", ", types.Select(DTypeName))}).");
        for (int i = 0; i < n; i++)
            if (types[i] == ScalarType.Bool)
                throw new ArgumentException(
                    $"Layer '{Name}' (MultiHeadAttention): input {i} ({(i == 0 ? "query" : i == 1 ? "value" : "key")}) is bool; only the last input may be a bool attention mask.");
        return new Layout(0, 1, n == 3 ? 2 : -1, mask);
    }

    // ------------------------------------------------------------------------------------ build

    /// <summary>Always throws: the layer needs at least a query and a value.</summary>
    /// <param name="inputShape">A single input's shape; always rejected.</param>
    /// <exception cref="System.ArgumentException">Always: the layer takes a query and a value.</exception>
    public override void Build(int?[] inputShape) =>
        throw new ArgumentException(
            $"Layer '{Name}' (MultiHeadAttention) needs at least two inputs, a query and a value (Apply(query, value)); got one input of shape {ShapeUtils.Format(inputShape)}.");

    /// <summary>
    /// Builds the projections from [query, value] or [query, value, key] shapes (a trailing attention-mask shape is
    /// ignored). Shapes that do not fit are reported by the call that follows, with the actual input shapes.
    /// </summary>
    /// <param name="inputShapes">The shapes of [query, value] or [query, value, key] (optionally followed by an attention mask's), batch first.</param>
    public override void Build(int?[][] inputShapes)
    {
        ArgumentNullException.ThrowIfNull(inputShapes);
        if (inputShapes.Length < 2 || inputShapes.Length > 4)
            throw new ArgumentException(
                $"Layer '{Name}' (MultiHeadAttention) takes [query, value] or [query, value, key], optionally followed by an attention mask; got {inputShapes.Length} input shape(s).");
        Layout? layout = _pendingLayout ?? inputShapes.Length switch
        {
            2 => new Layout(0, 1, -1, -1),
            4 => new Layout(0, 1, 2, 3),
            _ => null, // [q, v, key] or [q, v, mask]: decided from the element types at the first call
        };
        if (layout is Layout l)
        {
            var q = inputShapes[l.Query];
            var v = inputShapes[l.Value];
            var k = l.Key >= 0 ? inputShapes[l.Key] : v;
            try { CheckShapes(q, v, k); }
            catch (ArgumentException) { return; }   // reported by Call / ComputeOutputShapes with the real shapes
            EnsureProjections(q, v, k);
        }
    }

    private void EnsureProjections(int?[] q, int?[] v, int?[]? k)
    {
        if (_query != null) return;
        k ??= v;
        CheckShapes(q, v, k);
        int rank = q.Length + 1;
        int[] axes;
        if (_attentionAxesArg == null) axes = Enumerable.Range(1, rank - 3).ToArray();
        else
        {
            axes = _attentionAxesArg.Select(a => a >= 0 ? a : rank - 1 + a).ToArray();
            if (axes.Any(a => a < 1 || a > rank - 3) || axes.Distinct().Count() != axes.Length)
                throw new ArgumentException(
                    $"Layer '{Name}' (MultiHeadAttention): attentionAxes [{string.Join(", ", _attentionAxesArg)}] must name distinct axes between 1 and {q.Length - 2} of the query {ShapeUtils.Format(q)}.");
            Array.Sort(axes);
        }
        var qp = MakeProjection("query", [NumHeads, KeyDim], 1);
        var kp = MakeProjection("key", [NumHeads, KeyDim], 1);
        var vp = MakeProjection("value", [NumHeads, ValueDim], 1);
        var op = MakeProjection("attention_output", _outputShape ?? [q[^1]!.Value], 2);
        qp.EnsureBuilt([q]);
        kp.EnsureBuilt([k]);
        vp.EnsureBuilt([v]);
        op.EnsureBuilt([[.. q[..^1], NumHeads, ValueDim]]);
        _query = TrackLayer(qp);
        _key = TrackLayer(kp);
        _value = TrackLayer(vp);
        _output = TrackLayer(op);
        _attentionAxes = axes;
        _projectedRank = rank;
        (_dotEquation, _combineEquation) = BuildAttentionEquations(rank, axes);
    }

    private AttentionProjection MakeProjection(string name, int[] outputDims, int boundDims) =>
        new(name, outputDims, boundDims, UseBias, KernelInitializer, BiasInitializer, KernelRegularizer, BiasRegularizer,
            ActivityRegularizer, KernelConstraint, BiasConstraint, DTypePolicy);

    /// <summary>
    /// Keras's einsum equations for the projected tensors (batch, &lt;non-attention dims&gt;, &lt;attention dims&gt;, heads, channels):
    /// key·query → scores (batch dims incl. heads, query attention dims, key attention dims), and scores·value → output.
    /// </summary>
    private static (string dot, string combine) BuildAttentionEquations(int rank, int[] axes)
    {
        static char Letter(int i) => (char)('a' + i);
        var target = Enumerable.Range(0, rank).Select(Letter).ToArray();
        var batchDims = Enumerable.Range(0, rank).Where(i => !axes.Contains(i) && i != rank - 1).ToArray();
        var source = new char[rank];
        int next = rank;
        for (int i = 0; i < rank; i++)
            source[i] = batchDims.Contains(i) || i == rank - 1 ? target[i] : Letter(next++);
        var product = new string(batchDims.Select(i => target[i]).Concat(axes.Select(i => target[i])).Concat(axes.Select(i => source[i])).ToArray());
        var s = new string(source);
        var t = new string(target);
        return ($"{s},{t}->{product}", $"{product},{s}->{t}");
    }

    private void CheckShapes(int?[] q, int?[] v, int?[] k)
    {
        string Fmt() => $"query {ShapeUtils.Format(q)}, value {ShapeUtils.Format(v)}, key {ShapeUtils.Format(k)}";
        if (q.Length < 3 || v.Length < 3 || k.Length < 3)
            throw new ArgumentException($"Inputs of layer '{Name}' (MultiHeadAttention) must have rank >= 3 (batch, sequence, features); got {Fmt()}.");
        if (q.Length != v.Length || k.Length != v.Length)
            throw new ArgumentException($"Inputs of layer '{Name}' (MultiHeadAttention) must have the same rank; got {Fmt()}.");
        if (q[^1] is null || v[^1] is null || k[^1] is null)
            throw new ArgumentException($"The last dimension of every input of layer '{Name}' (MultiHeadAttention) must be known; got {Fmt()}.");
        for (int i = 1; i < v.Length - 1; i++)
            if (v[i] is int a && k[i] is int b && a != b)
                throw new ArgumentException(
                    $"Inputs of layer '{Name}' (MultiHeadAttention): all dimensions of value and key except the last must be equal; got {Fmt()}.");
        if (_query != null)
        {
            long qd = _query.Kernel.KerasShape[0], vd = _value!.Kernel.KerasShape[0], kd = _key!.Kernel.KerasShape[0];
            if (q.Length != _projectedRank - 1 || q[^1] != qd || v[^1] != vd || k[^1] != kd)
                throw new ArgumentException(
                    $"Inputs of layer '{Name}' (MultiHeadAttention) are incompatible with its weights: expected query (..., {qd}), value (..., {vd}), key (..., {kd}) of rank {_projectedRank - 1}; got {Fmt()}.");
        }
    }

    // ------------------------------------------------------------------------------------ call

    /// <summary>Always throws: the layer needs at least a query and a value.</summary>
    /// <param name="inputs">A single tensor; always rejected.</param>
    /// <param name="training">Unused.</param>
    /// <exception cref="System.ArgumentException">Always: the layer takes a query and a value.</exception>
    public override Tensor Call(Tensor inputs, bool training) =>
        throw new ArgumentException($"Layer '{Name}' (MultiHeadAttention) needs at least a query and a value; got one input of shape {ShapeUtils.Format(inputs.shape)}.");

    /// <inheritdoc />
    public override Tensor Call(Tensor[] inputs, bool training) => CallMulti(inputs, training, null)[0];

    /// <inheritdoc />
    public override Tensor[] CallMulti(Tensor[] inputs, bool training, Tensor?[]? masks)
    {
        var layout = _pendingLayout ?? ParseLayout(inputs.Select(t => t.dtype).ToArray());
        var query = inputs[layout.Query];
        var value = inputs[layout.Value];
        var key = layout.Key >= 0 ? inputs[layout.Key] : value;
        var attentionMask = layout.Mask >= 0 ? inputs[layout.Mask] : null;
        static int?[] Concrete(Tensor t) => t.shape.Select(d => (int?)(int)d).ToArray();
        CheckShapes(Concrete(query), Concrete(value), Concrete(key));
        var qs = ShapeUtils.WithNullBatch(query.shape);
        var vs = ShapeUtils.WithNullBatch(value.shape);
        var ks = ShapeUtils.WithNullBatch(key.shape);
        if (query.shape[0] != value.shape[0] || key.shape[0] != value.shape[0])
            throw new ArgumentException(
                $"Inputs of layer '{Name}' (MultiHeadAttention) have different batch sizes: query {ShapeUtils.Format(query.shape)}, value {ShapeUtils.Format(value.shape)}, key {ShapeUtils.Format(key.shape)}.");
        bool causal = _callUseCausalMask ?? _graphUseCausalMask ?? false;
        var qMask = masks is null ? null : masks[layout.Query];
        var vMask = masks is null ? null : masks[layout.Value];
        var kMask = masks is null || layout.Key < 0 ? null : masks[layout.Key];
        if (query.dim() != 3 && (causal || qMask is not null || vMask is not null || kMask is not null))
            throw new ArgumentException(
                $"Layer '{Name}' (MultiHeadAttention): useCausalMask and masks from earlier layers need rank-3 (batch, sequence, features) inputs; got query {ShapeUtils.Format(query.shape)}.");
        EnsureProjections(qs, vs, ks);

        // Keras's _compute_attention_mask: query mask (B, T, 1) & value/key masks (B, 1, S) & causal (1, T, S) & explicit mask.
        Tensor? auto = null;
        if (qMask is not null) auto = AttentionMasking.CheckSequenceMask(this, qMask, query, "query").unsqueeze(-1);
        if (vMask is not null)
        {
            var m = AttentionMasking.CheckSequenceMask(this, vMask, value, "value").unsqueeze(-2);
            auto = auto is null ? m : auto.logical_and(m);
        }
        if (kMask is not null)
        {
            var m = AttentionMasking.CheckSequenceMask(this, kMask, key, "key").unsqueeze(-2);
            auto = auto is null ? m : auto.logical_and(m);
        }
        bool causalOnly = causal && auto is null && attentionMask is null;
        if (causal)
        {
            var m = AttentionMasking.CausalMask(query.shape[1], value.shape[1], query.device);
            auto = auto is null ? m : auto.logical_and(m);
        }
        if (attentionMask is not null) CheckAttentionMask(attentionMask, query, value);
        var mask = attentionMask is null ? auto : auto is null ? attentionMask : attentionMask.logical_and(auto);

        var q = CallLayer(_query!, [query], training).outputs[0];
        var k = CallLayer(_key!, [key], training).outputs[0];
        var v = CallLayer(_value!, [value], training).outputs[0];
        var (attended, scores) = ComputeAttention(q, k, v, mask, causalOnly, training);
        var output = CallLayer(_output!, [attended], training).outputs[0];
        return ReturnAttentionScores ? [output, scores!] : [output];
    }

    private void CheckAttentionMask(Tensor mask, Tensor query, Tensor value)
    {
        var axes = _attentionAxes!;
        // Target (B, <non-attention dims>, <query attention dims>, <key attention dims>), as Keras broadcasts it.
        var target = new List<long> { query.shape[0] };
        for (int i = 1; i < query.dim() - 1; i++) if (!axes.Contains(i)) target.Add(query.shape[i]);
        foreach (var a in axes) target.Add(query.shape[a]);
        foreach (var a in axes) target.Add(value.shape[a]);
        bool ok = mask.dim() <= target.Count;
        for (int i = 1; ok && i <= mask.dim(); i++)
        {
            long m = mask.shape[^i], t = target[^i];
            if (m != 1 && m != t) ok = false;
        }
        if (!ok)
            throw new ArgumentException(
                $"Layer '{Name}' (MultiHeadAttention): attentionMask must broadcast to {ShapeUtils.Format(target.ToArray())} (batch, query positions, key positions); got {ShapeUtils.Format(mask.shape)}.");
    }

    private (Tensor output, Tensor? scores) ComputeAttention(Tensor q, Tensor k, Tensor v, Tensor? mask, bool causalOnly, bool training)
    {
        int nAxes = _attentionAxes!.Length;
        if (_projectedRank == 4 && Dropout == 0 && !ReturnAttentionScores)
        {
            // Keras's fused path (dot_product_attention): (B, T, N, H) -> (B, N, T, H); an additive mask of -0.7·max(dtype).
            var qt = q.transpose(1, 2);
            var kt = k.transpose(1, 2);
            var vt = v.transpose(1, 2);
            Tensor o;
            if (causalOnly) o = nn.functional.scaled_dot_product_attention(qt, kt, vt, null, 0.0, true);
            else if (mask is null) o = nn.functional.scaled_dot_product_attention(qt, kt, vt);
            else
            {
                var m = mask;
                while (m.dim() < 4) m = m.unsqueeze(-2 * nAxes - 1);
                var additive = torch.zeros(m.shape, dtype: q.dtype, device: q.device)
                    .masked_fill(m.logical_not(), AttentionMasking.AttentionLargeNegative(q.dtype));
                o = nn.functional.scaled_dot_product_attention(qt, kt, vt, additive);
            }
            return (o.transpose(1, 2), null);
        }
        // Keras's explicit path: scaled scores, masked softmax (masked probabilities are 0), dropout, combine.
        var scaled = q.mul(1.0 / Math.Sqrt(KeyDim));
        var scores = torch.einsum(_dotEquation, k, scaled);
        Tensor? sm = mask;
        if (sm is not null) while (sm.dim() < scores.dim()) sm = sm.unsqueeze(-2 * nAxes - 1);
        var probs = AttentionMasking.MaskedSoftmax(scores, sm, nAxes);
        var returned = probs;
        if (training && Dropout > 0)
        {
            if (_dropoutGenerator is null) probs = nn.functional.dropout(probs, Dropout, training: true);
            else
            {
                var keep = HostToDevice.To(torch.rand(probs.shape, dtype: probs.dtype, generator: _dropoutGenerator).ge(Dropout), probs.device);
                probs = probs * keep.to(probs.dtype) / (1.0 - Dropout);
            }
        }
        return (torch.einsum(_combineEquation, probs, v), ReturnAttentionScores ? returned : null);
    }

    /// <summary>The output carries the query's mask (Keras sets it on the attention output).</summary>
    /// <param name="inputs">[query, value] or [query, value, key].</param>
    /// <param name="masks">The inputs' masks (the query's is the first), or null.</param>
    /// <param name="outputCount">1, or 2 when the scores are returned too (they get no mask).</param>
    public override Tensor?[] ComputeMasks(Tensor[] inputs, Tensor?[]? masks, int outputCount)
    {
        var r = new Tensor?[outputCount];
        r[0] = masks?[0];
        return r;
    }

    /// <inheritdoc />
    public override (int?[] shape, ScalarType dtype)[] ComputeOutputShapes(int?[][] inputShapes, ScalarType[] inputTypes)
    {
        var layout = _pendingLayout ?? ParseLayout(inputTypes);
        var q = inputShapes[layout.Query];
        var v = inputShapes[layout.Value];
        var k = layout.Key >= 0 ? inputShapes[layout.Key] : v;
        CheckShapes(q, v, k);
        EnsureProjections(q, v, k);
        int?[] shape = _outputShape is null ? [.. q] : [.. q[..^1], .. _outputShape.Select(d => (int?)d)];
        if (!ReturnAttentionScores) return [(shape, ComputeDType)];
        // Scores: (batch, <non-attention dims>, heads, <query attention dims>, <key attention dims>) of the projected tensors.
        var axes = _attentionAxes!;
        int rank = _projectedRank;
        int?[] pq = [.. q[..^1], NumHeads, KeyDim];
        int?[] pk = [.. k[..^1], NumHeads, KeyDim];
        var scores = Enumerable.Range(0, rank - 1).Where(i => !axes.Contains(i)).Select(i => pq[i])
            .Concat(axes.Select(a => pq[a])).Concat(axes.Select(a => pk[a])).ToArray();
        return [(shape, ComputeDType), (scores, ComputeDType)];
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["num_heads"] = NumHeads;
        c["key_dim"] = KeyDim;
        c["value_dim"] = ValueDim;
        c["dropout"] = Dropout;
        c["use_bias"] = UseBias;
        c["output_shape"] = _outputShape;
        c["attention_axes"] = _attentionAxesArg;
        c["kernel_initializer"] = KernelInitializer.ClassName;
        c["bias_initializer"] = BiasInitializer.ClassName;
        c["seed"] = Seed;
        // Keras has no such config key (it is a call argument there): written only when set, so default
        // layers stay loadable by Keras.
        if (ReturnAttentionScores) c["return_attention_scores"] = true;
        return c;
    }
}
