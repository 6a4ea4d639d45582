using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Maps integer values to contiguous indices through a vocabulary (Keras's <c>IntegerLookup</c>, <c>output_mode="int"</c>).
/// Index layout, as in Keras: with a <c>maskToken</c>, index 0 is the mask; then <c>numOovIndices</c> out-of-vocabulary
/// indices; then the vocabulary. <see cref="Adapt"/> orders the vocabulary by descending count, ties by descending value
/// (numpy's <c>lexsort((tokens, counts))[::-1]</c>). With more than one OOV index an unknown value v goes to
/// OOV index <c>floormod(v, numOovIndices)</c> (Keras's default <c>oov_method="floormod"</c>; "farmhash" is not implemented).
/// With <c>invert</c> the layer maps indices back to values (mask index → mask token, any other unknown index → <c>oovToken</c>).
/// </summary>
public sealed class IntegerLookup : Layer
{
    private long[]? _vocabulary; // learned tokens only, in index order
    private Tensor? _sortedKeys, _sortedValues, _invertTable; // lazily built, per device
    private Device? _tableDevice;

    /// <summary>Creates the layer.</summary>
    /// <param name="maxTokens">Maximum vocabulary size, mask and OOV indices included; null for no limit. Must be &gt; 1.</param>
    /// <param name="numOovIndices">Number of out-of-vocabulary indices (default 1, ≥ 0). With 0, an unknown value is an error.</param>
    /// <param name="maskToken">The value that means "masked" (index 0), or null (default) for none.</param>
    /// <param name="oovToken">The value returned for unknown indices when <paramref name="invert"/> (default −1).</param>
    /// <param name="vocabulary">A vocabulary to use instead of <see cref="Adapt"/> (see <see cref="SetVocabulary"/>).</param>
    /// <param name="invert">Map indices to values instead of values to indices.</param>
    /// <param name="outputMode">"int" (the only mode implemented).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public IntegerLookup(int? maxTokens = null, int numOovIndices = 1, long? maskToken = null, long oovToken = -1,
        long[]? vocabulary = null, bool invert = false, string outputMode = "int", int?[]? inputShape = null, string? name = null)
        : base(name, inputShape: inputShape)
    {
        if (maxTokens is <= 1)
            throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, $"IntegerLookup: maxTokens must be greater than 1 (or null); got {maxTokens}.");
        if (numOovIndices < 0)
            throw new ArgumentOutOfRangeException(nameof(numOovIndices), numOovIndices, $"IntegerLookup: numOovIndices must be ≥ 0; got {numOovIndices}.");
        if (outputMode != "int")
            throw new ArgumentException(outputMode is "one_hot" or "multi_hot" or "count" or "tf_idf"
                ? $"IntegerLookup: outputMode \"{outputMode}\" is not implemented; only \"int\" is."
                : $"IntegerLookup: outputMode must be \"int\"; got \"{outputMode}\".", nameof(outputMode));
        if (maskToken is long mt && mt == oovToken)
            throw new ArgumentException($"IntegerLookup: maskToken and oovToken must differ; both are {mt}.", nameof(maskToken));
        MaxTokens = maxTokens;
        NumOovIndices = numOovIndices;
        MaskToken = maskToken;
        OovToken = oovToken;
        Invert = invert;
        OutputMode = outputMode;
        AcceptsIntegerInput = true;
        if (vocabulary != null) SetVocabulary(vocabulary);
    }

    /// <summary>Maximum vocabulary size (special indices included), or null.</summary>
    public int? MaxTokens { get; }

    /// <summary>Number of OOV indices.</summary>
    public int NumOovIndices { get; }

    /// <summary>The mask value, or null.</summary>
    public long? MaskToken { get; }

    /// <summary>The OOV value (returned by the inverted layer for unknown indices).</summary>
    public long OovToken { get; }

    /// <summary>Whether the layer maps indices to values.</summary>
    public bool Invert { get; }

    /// <summary>The output mode ("int").</summary>
    public string OutputMode { get; }

    private int OovStart => MaskToken is not null ? 1 : 0;
    private int TokenStart => OovStart + NumOovIndices;

    /// <summary>
    /// Learns the vocabulary from integer data (Keras's <c>adapt</c>): counts every value except the mask and OOV tokens,
    /// orders by descending count (ties: larger value first) and keeps the first <c>maxTokens − (mask + numOovIndices)</c>.
    /// Replaces any previous vocabulary. Reads the data on the host once.
    /// </summary>
    /// <param name="data">An integer tensor of any shape.</param>
    public void Adapt(Tensor data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.dtype is not (ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.Byte))
            throw new ArgumentException($"IntegerLookup '{Name}': Adapt expects an integer tensor; got {data.dtype}.", nameof(data));
        long[] values;
        using (NewDisposeScope()) values = data.to(ScalarType.Int64).cpu().flatten().data<long>().ToArray();
        var counts = new Dictionary<long, long>();
        foreach (var v in values) counts[v] = counts.TryGetValue(v, out var c) ? c + 1 : 1;
        if (MaskToken is long m) counts.Remove(m);
        counts.Remove(OovToken);
        var sorted = counts.ToList();
        sorted.Sort((a, b) => { int byCount = b.Value.CompareTo(a.Value); return byCount != 0 ? byCount : b.Key.CompareTo(a.Key); });
        int keep = MaxTokens is int mx ? Math.Max(0, Math.Min(sorted.Count, mx - TokenStart)) : sorted.Count;
        Install(sorted.Take(keep).Select(kv => kv.Key).ToArray());
    }

    /// <summary>
    /// Sets the vocabulary (Keras's <c>set_vocabulary</c>): the values in index order. If it starts with the special tokens
    /// in index order (mask, then <c>numOovIndices</c> times the OOV token) they are skipped.
    /// </summary>
    /// <param name="vocabulary">Distinct values, without the mask and OOV tokens (except that leading block).</param>
    public void SetVocabulary(IEnumerable<long> vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        var list = vocabulary.ToList();
        var special = new List<long>();
        if (MaskToken is long m) special.Add(m);
        for (int i = 0; i < NumOovIndices; i++) special.Add(OovToken);
        if (special.Count > 0 && list.Count >= special.Count && list.Take(special.Count).SequenceEqual(special)) list.RemoveRange(0, special.Count);
        var seen = new HashSet<long>();
        foreach (var t in list)
        {
            if (MaskToken is long mk && t == mk)
                throw new ArgumentException($"IntegerLookup '{Name}': the vocabulary contains the mask token {mk} outside its leading position.", nameof(vocabulary));
            if (t == OovToken)
                throw new ArgumentException($"IntegerLookup '{Name}': the vocabulary contains the OOV token {OovToken} outside its leading positions.", nameof(vocabulary));
            if (!seen.Add(t)) throw new ArgumentException($"IntegerLookup '{Name}': the vocabulary has the value {t} twice.", nameof(vocabulary));
        }
        if (MaxTokens is int mx && list.Count + TokenStart > mx)
            throw new ArgumentException($"IntegerLookup '{Name}': the vocabulary has {list.Count + TokenStart} entries (special indices included), more than maxTokens = {mx}.", nameof(vocabulary));
        Install(list.ToArray());
    }

    private void Install(long[] tokens)
    {
        _vocabulary = tokens;
        _sortedKeys?.Dispose(); _sortedValues?.Dispose(); _invertTable?.Dispose();
        _sortedKeys = _sortedValues = _invertTable = null;
        _tableDevice = null;
    }

    /// <summary>The vocabulary in index order (Keras's <c>get_vocabulary</c>): mask (if any), the OOV token once per OOV index, then the values.</summary>
    /// <param name="includeSpecialTokens">Include the mask and OOV entries (so a value's position is its index).</param>
    public List<long> GetVocabulary(bool includeSpecialTokens = true)
    {
        var v = _vocabulary ?? [];
        if (!includeSpecialTokens) return [.. v];
        var r = new List<long>(TokenStart + v.Length);
        if (MaskToken is long m) r.Add(m);
        for (int i = 0; i < NumOovIndices; i++) r.Add(OovToken);
        r.AddRange(v);
        return r;
    }

    /// <summary>Vocabulary size including the mask and OOV indices.</summary>
    public int VocabularySize() => TokenStart + (_vocabulary?.Length ?? 0);

    private void EnsureTables(Device device)
    {
        if (_sortedKeys is not null && _tableDevice == device) return;
        _sortedKeys?.Dispose(); _sortedValues?.Dispose(); _invertTable?.Dispose();
        var v = _vocabulary ?? [];
        var order = Enumerable.Range(0, v.Length).OrderBy(i => v[i]).ToArray();
        using (NewDisposeScope())
        {
            _sortedKeys = torch.tensor(order.Select(i => v[i]).ToArray(), dtype: ScalarType.Int64, device: device).MoveToOuterDisposeScope();
            _sortedValues = torch.tensor(order.Select(i => (long)(i + TokenStart)).ToArray(), dtype: ScalarType.Int64, device: device).MoveToOuterDisposeScope();
            _invertTable = torch.tensor(GetVocabulary().ToArray(), dtype: ScalarType.Int64, device: device).MoveToOuterDisposeScope();
        }
        _tableDevice = device;
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.dtype is not (ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.Byte))
            throw new ArgumentException($"IntegerLookup '{Name}': expects an integer tensor; got {inputs.dtype}.", nameof(inputs));
        EnsureTables(inputs.device);
        var x = inputs.to(ScalarType.Int64);
        return Invert ? InvertLookup(x) : ForwardLookup(x);
    }

    private Tensor ForwardLookup(Tensor x)
    {
        using var scope = NewDisposeScope();
        Tensor oov = NumOovIndices > 1 ? x.remainder(NumOovIndices) + OovStart : torch.full_like(x, OovStart);
        long n = _sortedKeys!.shape[0];
        Tensor found, values;
        if (n == 0) { found = torch.zeros_like(x, dtype: ScalarType.Bool); values = oov; }
        else
        {
            var pos = torch.searchsorted(_sortedKeys, x).clamp_max(n - 1);
            found = _sortedKeys[pos].eq(x);
            values = _sortedValues![pos];
        }
        var masked = MaskToken is long mk ? x.eq(mk) : torch.zeros_like(found);
        // Error path only: Keras asserts that every input is known when there is no OOV index.
        if (NumOovIndices == 0 && !found.logical_or(masked).all().item<bool>())
            throw new ArgumentException($"IntegerLookup '{Name}': with numOovIndices = 0 every input must be in the vocabulary; some are not (set numOovIndices = 1).", "inputs");
        var result = torch.where(found, values, oov);
        if (MaskToken is not null) result = torch.where(masked, torch.zeros_like(result), result);
        return result.MoveToOuterDisposeScope();
    }

    private Tensor InvertLookup(Tensor x)
    {
        using var scope = NewDisposeScope();
        long size = _invertTable!.shape[0];
        var inRange = x.ge(0).logical_and(x.lt(size));
        Tensor result = size == 0 ? torch.full_like(x, OovToken) : torch.where(inRange, _invertTable[x.clamp(0, size - 1)], torch.full_like(x, OovToken));
        return result.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override ScalarType OutputDType(ScalarType inputType) => ScalarType.Int64;

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape) => inputShape;

    /// <summary>The configuration, vocabulary included (without the special tokens).</summary>
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["max_tokens"] = MaxTokens;
        c["num_oov_indices"] = NumOovIndices;
        c["mask_token"] = MaskToken;
        c["oov_token"] = OovToken;
        c["vocabulary"] = _vocabulary?.ToArray();
        c["invert"] = Invert;
        c["output_mode"] = OutputMode;
        return c;
    }
}
