using Sharpkeras.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Dot-product (Luong-style) attention (Keras's <c>Attention</c>). Inputs [query (B, Tq, dim), value (B, Tv, dim)]
/// or [query, value, key (B, Tv, dim)]: scores = query·keyᵀ (times a learned scalar <c>scale</c> when
/// <c>useScale</c>), or with <c>scoreMode: "concat"</c> <c>concat_score_weight · Σ tanh(query + key)</c>;
/// output = softmax(scores)·value, shape (B, Tq, dim).
/// </summary>
/// <remarks>
/// Masks from earlier layers are used like Keras: the value's mask hides key positions, the query's mask
/// zeroes the output rows (and is passed on). <c>useCausalMask</c> is an argument of
/// <see cref="Apply(KerasTensor[], bool)"/> / <see cref="Apply(Tensor[], bool, bool)"/>.
/// <para>With <c>returnAttentionScores: true</c> the layer has two outputs, [output (B, Tq, dim), scores (B, Tq, Tv)]
/// where the scores are the attention distribution (softmax after masking, after dropout in training, as Keras
/// returns it); use <c>ApplyMulti</c> (symbolic or eager) to get both — <c>Apply</c> returns the output only.
/// Keras passes <c>return_attention_scores</c> at call time; here it is a constructor argument (saved in the
/// config as <c>return_attention_scores</c>) so the layer's outputs are fixed for the graph.</para>
/// </remarks>
public class Attention : Layer
{
    private readonly Generator? _dropoutGenerator;
    private KerasVariable? _scale;
    private KerasVariable? _concatScoreWeight;
    private bool? _graphUseCausalMask;
    private bool? _callUseCausalMask;

    /// <summary>Creates the layer.</summary>
    /// <param name="useScale">Whether to learn a scalar that scales the scores.</param>
    /// <param name="scoreMode">"dot" (query·key) or "concat" (Σ tanh(query + key)).</param>
    /// <param name="dropout">Dropout rate on the attention probabilities, in [0, 1).</param>
    /// <param name="seed">Optional seed of the dropout.</param>
    /// <param name="name">Layer name.</param>
    /// <param name="returnAttentionScores">Whether the layer has a second output, the attention distribution (B, Tq, Tv).</param>
    public Attention(bool useScale = false, string scoreMode = "dot", double dropout = 0.0, int? seed = null, string? name = null,
        bool returnAttentionScores = false)
        : this(useScale, scoreMode, dropout, seed, name, checkScoreMode: true, returnAttentionScores) { }

    /// <summary>Constructor for subclasses (AdditiveAttention) that compute their own scores.</summary>
    private protected Attention(bool useScale, string scoreMode, double dropout, int? seed, string? name, bool checkScoreMode,
        bool returnAttentionScores)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(scoreMode);
        if (checkScoreMode && scoreMode != "dot" && scoreMode != "concat")
            throw new ArgumentException($"{GetType().Name}: scoreMode must be one of \"dot\", \"concat\"; got \"{scoreMode}\".", nameof(scoreMode));
        if (!(dropout >= 0 && dropout < 1))
            throw new ArgumentOutOfRangeException(nameof(dropout), dropout, $"{GetType().Name}: dropout must be in [0, 1); got {dropout}.");
        UseScale = useScale;
        ScoreMode = scoreMode;
        Dropout = dropout;
        Seed = seed;
        ReturnAttentionScores = returnAttentionScores;
        if (seed is int s) _dropoutGenerator = new Generator((ulong)s, torch.CPU);
        SupportsMasking = true;
    }

    /// <summary>Whether a learned scale multiplies the scores.</summary>
    public bool UseScale { get; }

    /// <summary>"dot" or "concat".</summary>
    public string ScoreMode { get; }

    /// <summary>Dropout rate on the attention probabilities.</summary>
    public double Dropout { get; }

    /// <summary>Seed of the dropout, if any.</summary>
    public int? Seed { get; }

    /// <summary>Whether the layer returns [output, attention scores (B, Tq, Tv)] (two outputs).</summary>
    public bool ReturnAttentionScores { get; }

    /// <summary>
    /// Whether the layer was applied in a functional graph with <c>useCausalMask: true</c> (Keras's call argument
    /// <c>use_causal_mask</c>); false when it has not been applied symbolically. Read by exporters and savers.
    /// </summary>
    public bool UseCausalMask => _graphUseCausalMask ?? false;

    /// <summary>The learned scale (after build; null without <see cref="UseScale"/>).</summary>
    public KerasVariable? Scale => _scale;

    /// <summary>The learned weight of "concat" scores (after build; null in "dot" mode).</summary>
    public KerasVariable? ConcatScoreWeight => _concatScoreWeight;

    // ------------------------------------------------------------------------------------ apply

    /// <summary>Applies the layer in the Functional API to [query, value] or [query, value, key].</summary>
    /// <param name="inputs">[query, value] or [query, value, key].</param>
    /// <param name="useCausalMask">Whether position i may only attend to positions j &lt;= i (recorded on the layer for the graph).</param>
    public KerasTensor Apply(KerasTensor[] inputs, bool useCausalMask) => ApplyMulti(inputs, useCausalMask)[0];

    /// <summary>Like <see cref="Apply(KerasTensor[], bool)"/>, returning all outputs ([output, scores] with <see cref="ReturnAttentionScores"/>).</summary>
    /// <param name="inputs">[query, value] or [query, value, key].</param>
    /// <param name="useCausalMask">Whether position i may only attend to positions j &lt;= i (recorded on the layer for the graph).</param>
    public KerasTensor[] ApplyMulti(KerasTensor[] inputs, bool useCausalMask)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (_graphUseCausalMask is bool b && b != useCausalMask)
            throw new InvalidOperationException(
                $"Layer '{Name}' ({GetType().Name}) was already applied with useCausalMask: {b.ToString().ToLowerInvariant()}; use a separate layer for useCausalMask: {useCausalMask.ToString().ToLowerInvariant()}.");
        var outs = ApplyMulti(inputs);
        _graphUseCausalMask = useCausalMask;
        return outs;
    }

    /// <summary>Runs the layer on real tensors [query, value] or [query, value, key].</summary>
    /// <param name="inputs">[query, value] or [query, value, key].</param>
    /// <param name="training">Training mode (dropout active).</param>
    /// <param name="useCausalMask">Whether position i may only attend to positions j &lt;= i.</param>
    public Tensor Apply(Tensor[] inputs, bool training = false, bool useCausalMask = false) => ApplyMulti(inputs, training, useCausalMask)[0];

    /// <summary>Like <see cref="Apply(Tensor[], bool, bool)"/>, returning all outputs ([output, scores] with <see cref="ReturnAttentionScores"/>).</summary>
    /// <param name="inputs">[query, value] or [query, value, key].</param>
    /// <param name="training">Training mode (dropout active).</param>
    /// <param name="useCausalMask">Whether position i may only attend to positions j &lt;= i.</param>
    public Tensor[] ApplyMulti(Tensor[] inputs, bool training, bool useCausalMask)
    {
        var previous = _callUseCausalMask;
        _callUseCausalMask = useCausalMask;
        try { return ApplyMulti(inputs, training); }
        finally { _callUseCausalMask = previous; }
    }

    // ------------------------------------------------------------------------------------ build

    /// <summary>Always throws: the layer needs [query, value] or [query, value, key].</summary>
    /// <param name="inputShape">A single input's shape; always rejected.</param>
    /// <exception cref="System.ArgumentException">Always: the layer takes a list of inputs.</exception>
    public override void Build(int?[] inputShape) =>
        throw new ArgumentException(
            $"Layer '{Name}' ({GetType().Name}) must be called on a list of inputs, [query, value] or [query, value, key]; got one input of shape {ShapeUtils.Format(inputShape)}.");

    /// <summary>Creates the weights (shapes that do not fit are reported by the call that follows, with the actual input shapes).</summary>
    /// <param name="inputShapes">The shapes of [query, value] or [query, value, key], batch first.</param>
    public override void Build(int?[][] inputShapes)
    {
        ArgumentNullException.ThrowIfNull(inputShapes);
        try { CheckShapes(inputShapes); }
        catch (ArgumentException) { return; }
        EnsureWeights(inputShapes[0]);
    }

    private void EnsureWeights(int?[] queryShape)
    {
        if (_weightsCreated) return;
        CreateWeights(queryShape);
        _weightsCreated = true;
    }

    private bool _weightsCreated;

    /// <summary>Creates the weights for the query shape (dot: scalar scale and concat weight).</summary>
    private protected virtual void CreateWeights(int?[] queryShape)
    {
        if (UseScale) _scale = AddWeight("scale", [], "ones");
        if (ScoreMode == "concat") _concatScoreWeight = AddWeight("concat_score_weight", [], "ones");
    }

    private void CheckShapes(int?[][] shapes)
    {
        if (shapes.Length < 2 || shapes.Length > 3)
            throw new ArgumentException(
                $"Layer '{Name}' ({GetType().Name}) accepts a list of 2 or 3 inputs, [query, value] or [query, value, key]; got {shapes.Length}.");
        var q = shapes[0];
        var v = shapes[1];
        var k = shapes.Length > 2 ? shapes[2] : v;
        string Fmt() => $"query {ShapeUtils.Format(q)}, value {ShapeUtils.Format(v)}" + (shapes.Length > 2 ? $", key {ShapeUtils.Format(k)}" : "");
        if (q.Length < 3 || v.Length != q.Length || k.Length != q.Length)
            throw new ArgumentException($"Inputs of layer '{Name}' ({GetType().Name}) must all have the same rank >= 3 (batch, steps, dim); got {Fmt()}.");
        if (q[^1] is int qd && k[^1] is int kd && qd != kd)
            throw new ArgumentException($"Inputs of layer '{Name}' ({GetType().Name}): query and key must have the same last dimension; got {Fmt()}.");
        if (v[^2] is int vt && k[^2] is int kt && vt != kt)
            throw new ArgumentException($"Inputs of layer '{Name}' ({GetType().Name}): value and key must have the same number of steps; got {Fmt()}.");
        CheckWeightShapes(q);
    }

    /// <summary>Checks the query shape against existing weights (AdditiveAttention's scale has the query's dim).</summary>
    private protected virtual void CheckWeightShapes(int?[] queryShape) { }

    // ------------------------------------------------------------------------------------ call

    /// <summary>Always throws: the layer needs [query, value] or [query, value, key].</summary>
    /// <param name="inputs">A single tensor; always rejected.</param>
    /// <param name="training">Unused.</param>
    /// <exception cref="System.ArgumentException">Always: the layer takes a list of inputs.</exception>
    public override Tensor Call(Tensor inputs, bool training) =>
        throw new ArgumentException($"Layer '{Name}' ({GetType().Name}) must be called on a list of inputs, [query, value] or [query, value, key]; got one input of shape {ShapeUtils.Format(inputs.shape)}.");

    /// <inheritdoc />
    public override Tensor Call(Tensor[] inputs, bool training) => CallMulti(inputs, training, null)[0];

    /// <inheritdoc />
    public override Tensor[] CallMulti(Tensor[] inputs, bool training, Tensor?[]? masks)
    {
        CheckShapes(inputs.Select(t => t.shape.Select(d => (int?)(int)d).ToArray()).ToArray());
        EnsureWeights(ShapeUtils.WithNullBatch(inputs[0].shape));
        var q = inputs[0];
        var v = inputs[1];
        var k = inputs.Length > 2 ? inputs[2] : v;
        if (q.shape[0] != v.shape[0] || k.shape[0] != v.shape[0])
            throw new ArgumentException(
                $"Inputs of layer '{Name}' ({GetType().Name}) have different batch sizes: {string.Join(", ", inputs.Select(t => ShapeUtils.Format(t.shape)))}.");
        var qMask = masks is null ? null : masks[0];
        var vMask = masks is null || masks.Length < 2 ? null : masks[1];
        var scores = CalculateScores(q, k);
        // Keras's _calculate_score_mask: value mask (B, 1, Tv), and the causal mask (1, Tq, Tv) when asked.
        Tensor? scoresMask = vMask is null ? null : AttentionMasking.CheckSequenceMask(this, vMask, v, "value").unsqueeze(-2);
        if (_callUseCausalMask ?? _graphUseCausalMask ?? false)
        {
            var causal = AttentionMasking.CausalMask(scores.shape[^2], scores.shape[^1], scores.device);
            scoresMask = scoresMask is null ? causal : scoresMask.logical_and(causal);
        }
        if (scoresMask is not null)
        {
            double big = scores.dtype == ScalarType.Float16 ? 65504.0 : 1.0e9;
            scores = torch.where(scoresMask, scores, scores - big);
        }
        var weights = scores.softmax(-1);
        if (training && Dropout > 0)
        {
            if (_dropoutGenerator is null) weights = nn.functional.dropout(weights, Dropout, training: true);
            else
            {
                var keep = HostToDevice.To(torch.rand(weights.shape, dtype: weights.dtype, generator: _dropoutGenerator).ge(Dropout), weights.device);
                weights = weights * keep.to(weights.dtype) / (1.0 - Dropout);
            }
        }
        var output = weights.matmul(v);
        if (qMask is not null)
        {
            var qm = AttentionMasking.CheckSequenceMask(this, qMask, q, "query").unsqueeze(-1);
            output = output.masked_fill(qm.logical_not(), 0.0);
        }
        return ReturnAttentionScores ? [output, weights] : [output];
    }

    /// <summary>The attention scores (B, Tq, Tv) from the query (B, Tq, dim) and the key (B, Tv, dim).</summary>
    private protected virtual Tensor CalculateScores(Tensor query, Tensor key)
    {
        if (ScoreMode == "dot")
        {
            var scores = query.matmul(key.transpose(-2, -1));
            return _scale is null ? scores : scores * _scale.Value;
        }
        var sum = query.unsqueeze(-2) + key.unsqueeze(-3);
        if (_scale is not null) sum = sum * _scale.Value;
        return _concatScoreWeight!.Value * sum.tanh().sum(-1);
    }

    /// <summary>The output carries the query's mask.</summary>
    /// <param name="inputs">[query, value] or [query, value, key].</param>
    /// <param name="masks">The inputs' masks (the query's is the first), or null.</param>
    /// <param name="outputCount">1, or 2 when the scores are returned too (they get no mask).</param>
    public override Tensor?[] ComputeMasks(Tensor[] inputs, Tensor?[]? masks, int outputCount)
    {
        var r = new Tensor?[outputCount];
        r[0] = masks?[0];
        return r;
    }

    /// <summary>
    /// (batch, Tq, value dim): the query's shape with the value's last dimension; with
    /// <see cref="ReturnAttentionScores"/> also the scores' (batch, Tq, Tv).
    /// </summary>
    /// <param name="inputShapes">The shapes of [query, value] or [query, value, key], batch first.</param>
    /// <param name="inputTypes">Their element types.</param>
    public override (int?[] shape, ScalarType dtype)[] ComputeOutputShapes(int?[][] inputShapes, ScalarType[] inputTypes)
    {
        CheckShapes(inputShapes);
        EnsureWeights(inputShapes[0]);
        var q = inputShapes[0];
        var v = inputShapes[1];
        var k = inputShapes.Length > 2 ? inputShapes[2] : v;
        (int?[], ScalarType) output = ([.. q[..^1], v[^1]], ComputeDType);
        if (!ReturnAttentionScores) return [output];
        return [output, ([.. q[..^1], k[^2] ?? v[^2]], ComputeDType)];
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["use_scale"] = UseScale;
        c["score_mode"] = ScoreMode;
        c["dropout"] = Dropout;
        c["seed"] = Seed;
        // Keras has no such config key (it is a call argument there): written only when set, so default
        // layers stay loadable by Keras.
        if (ReturnAttentionScores) c["return_attention_scores"] = true;
        return c;
    }
}
