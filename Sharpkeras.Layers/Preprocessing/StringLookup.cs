using System.Text;
using Sharpkeras.Data.Pipeline;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Maps strings to contiguous indices through a vocabulary (Keras's <c>StringLookup</c>, <c>output_mode="int"</c>).
/// Index layout as in Keras: with a <c>maskToken</c>, index 0 is the mask; then <c>numOovIndices</c> out-of-vocabulary indices;
/// then the vocabulary. <see cref="Adapt"/> orders tokens by descending count, ties by descending UTF-8 bytes. With more than
/// one OOV index an unknown string goes to OOV index <c>FarmHash64(utf8) mod numOovIndices</c>, as Keras does.
/// </summary>
/// <remarks>
/// Strings are not tensors in TorchSharp, so the layer works on strings outside the model: <see cref="Lookup"/> returns int64
/// indices (and <see cref="InverseLookup"/> maps indices back). <c>Call</c> on a tensor throws.
/// </remarks>
public sealed class StringLookup : Layer
{
    private List<string>? _vocabulary;
    private Dictionary<string, long>? _lookup;

    /// <summary>Creates the layer.</summary>
    /// <param name="maxTokens">Maximum vocabulary size, mask and OOV indices included; null for no limit. Must be &gt; 1.</param>
    /// <param name="numOovIndices">Number of out-of-vocabulary indices (default 1, ≥ 0). With 0, an unknown string is an error.</param>
    /// <param name="maskToken">The string meaning "masked" (index 0), or null (default) for none.</param>
    /// <param name="oovToken">The out-of-vocabulary token (default "[UNK]").</param>
    /// <param name="vocabulary">A vocabulary to use instead of <see cref="Adapt"/> (see <see cref="SetVocabulary"/>).</param>
    /// <param name="outputMode">"int" (the only mode implemented).</param>
    /// <param name="name">Layer name.</param>
    public StringLookup(int? maxTokens = null, int numOovIndices = 1, string? maskToken = null, string oovToken = "[UNK]",
        string[]? vocabulary = null, string outputMode = "int", string? name = null)
        : base(name)
    {
        if (maxTokens is <= 1)
            throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, $"StringLookup: maxTokens must be greater than 1 (or null); got {maxTokens}.");
        if (numOovIndices < 0)
            throw new ArgumentOutOfRangeException(nameof(numOovIndices), numOovIndices, $"StringLookup: numOovIndices must be ≥ 0; got {numOovIndices}.");
        ArgumentNullException.ThrowIfNull(oovToken);
        if (outputMode != "int")
            throw new ArgumentException($"StringLookup: outputMode must be \"int\" (the only mode implemented); got \"{outputMode}\".", nameof(outputMode));
        if (maskToken == oovToken)
            throw new ArgumentException($"StringLookup: maskToken and oovToken must differ; both are \"{oovToken}\".", nameof(maskToken));
        MaxTokens = maxTokens;
        NumOovIndices = numOovIndices;
        MaskToken = maskToken;
        OovToken = oovToken;
        OutputMode = outputMode;
        if (vocabulary != null) SetVocabulary(vocabulary);
    }

    /// <summary>Maximum vocabulary size (special indices included), or null.</summary>
    public int? MaxTokens { get; }

    /// <summary>Number of OOV indices.</summary>
    public int NumOovIndices { get; }

    /// <summary>The mask token, or null.</summary>
    public string? MaskToken { get; }

    /// <summary>The OOV token.</summary>
    public string OovToken { get; }

    /// <summary>The output mode ("int").</summary>
    public string OutputMode { get; }

    private int OovStart => MaskToken is not null ? 1 : 0;
    private int TokenStart => OovStart + NumOovIndices;

    /// <summary>Learns the vocabulary (Keras's <c>adapt</c>): counts, drops the mask and OOV tokens, orders by descending count
    /// (ties: descending UTF-8 bytes) and keeps the first <c>maxTokens − (mask + numOovIndices)</c>.</summary>
    /// <param name="data">The strings.</param>
    public void Adapt(IEnumerable<string> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var s in data)
        {
            if (s is null) throw new ArgumentException($"StringLookup '{Name}': Adapt got a null string.", nameof(data));
            counts[s] = counts.TryGetValue(s, out var c) ? c + 1 : 1;
        }
        if (MaskToken is not null) counts.Remove(MaskToken);
        counts.Remove(OovToken);
        var sorted = counts.ToList();
        sorted.Sort((a, b) => { int byCount = b.Value.CompareTo(a.Value); return byCount != 0 ? byCount : TextStandardization.CompareUtf8(b.Key, a.Key); });
        int keep = MaxTokens is int mx ? Math.Max(0, Math.Min(sorted.Count, mx - TokenStart)) : sorted.Count;
        Install(sorted.Take(keep).Select(kv => kv.Key).ToList());
    }

    /// <summary>Sets the vocabulary in index order (Keras's <c>set_vocabulary</c>); a leading block of the special tokens
    /// (mask, then the OOV token once per OOV index) is skipped.</summary>
    /// <param name="vocabulary">Distinct strings.</param>
    public void SetVocabulary(IEnumerable<string> vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        var list = vocabulary.ToList();
        var special = new List<string>();
        if (MaskToken is not null) special.Add(MaskToken);
        for (int i = 0; i < NumOovIndices; i++) special.Add(OovToken);
        if (special.Count > 0 && list.Count >= special.Count && list.Take(special.Count).SequenceEqual(special)) list.RemoveRange(0, special.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in list)
        {
            if (t is null) throw new ArgumentException($"StringLookup '{Name}': the vocabulary contains null.", nameof(vocabulary));
            if (t == MaskToken || t == OovToken)
                throw new ArgumentException($"StringLookup '{Name}': the vocabulary contains the special token \"{t}\" outside the leading special block.", nameof(vocabulary));
            if (!seen.Add(t)) throw new ArgumentException($"StringLookup '{Name}': the vocabulary has \"{t}\" twice.", nameof(vocabulary));
        }
        if (MaxTokens is int mx && list.Count + TokenStart > mx)
            throw new ArgumentException($"StringLookup '{Name}': the vocabulary has {list.Count + TokenStart} entries (special indices included), more than maxTokens = {mx}.", nameof(vocabulary));
        Install(list);
    }

    private void Install(List<string> tokens)
    {
        var lookup = new Dictionary<string, long>(tokens.Count, StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++) lookup[tokens[i]] = i + TokenStart;
        _vocabulary = tokens;
        _lookup = lookup;
    }

    /// <summary>The vocabulary in index order (Keras's <c>get_vocabulary</c>).</summary>
    /// <param name="includeSpecialTokens">Include the mask and OOV entries (so a token's position is its index).</param>
    public List<string> GetVocabulary(bool includeSpecialTokens = true)
    {
        var v = _vocabulary ?? [];
        if (!includeSpecialTokens) return [.. v];
        var r = new List<string>();
        if (MaskToken is not null) r.Add(MaskToken);
        for (int i = 0; i < NumOovIndices; i++) r.Add(OovToken);
        r.AddRange(v);
        return r;
    }

    /// <summary>Vocabulary size including the mask and OOV indices.</summary>
    public int VocabularySize() => TokenStart + (_vocabulary?.Count ?? 0);

    /// <summary>Maps strings to int64 indices, shape (count), on the CPU.</summary>
    /// <param name="values">The strings.</param>
    public Tensor Lookup(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var lookup = _lookup ?? new Dictionary<string, long>();
        var r = new List<long>();
        foreach (var s in values)
        {
            if (s is null) throw new ArgumentException($"StringLookup '{Name}': Lookup got a null string.", nameof(values));
            if (MaskToken is not null && s == MaskToken) r.Add(0);
            else if (lookup.TryGetValue(s, out var id)) r.Add(id);
            else if (NumOovIndices == 0)
                throw new ArgumentException($"StringLookup '{Name}': \"{s}\" is not in the vocabulary and numOovIndices = 0.", nameof(values));
            else if (NumOovIndices == 1) r.Add(OovStart);
            else r.Add(OovStart + (long)(Hashing.Fingerprint64(Encoding.UTF8.GetBytes(s)) % (ulong)NumOovIndices));
        }
        return torch.tensor(r.ToArray(), dtype: ScalarType.Int64);
    }

    /// <summary>Maps indices back to strings (Keras's <c>invert=True</c>): unknown indices give the OOV token.</summary>
    /// <param name="indices">An integer tensor.</param>
    public List<string> InverseLookup(Tensor indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.dtype is not (ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.Byte))
            throw new ArgumentException($"StringLookup '{Name}': InverseLookup expects an integer tensor; got {indices.dtype}.", nameof(indices));
        var vocab = GetVocabulary();
        long[] ids;
        using (NewDisposeScope()) ids = indices.to(ScalarType.Int64).cpu().flatten().data<long>().ToArray();
        return ids.Select(i => i >= 0 && i < vocab.Count ? vocab[(int)i] : OovToken).ToList();
    }

    /// <summary>Not usable on tensors: strings are not tensors in TorchSharp. Use <see cref="Lookup"/>.</summary>
    /// <param name="inputs">Any tensor; always rejected.</param>
    /// <param name="training">Unused.</param>
    /// <exception cref="System.InvalidOperationException">Always: strings are not tensors in TorchSharp.</exception>
    public override Tensor Call(Tensor inputs, bool training)
        => throw new InvalidOperationException($"StringLookup '{Name}' works on strings, which are not tensors in TorchSharp: call Lookup(strings) to get int64 indices.");

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["max_tokens"] = MaxTokens;
        c["num_oov_indices"] = NumOovIndices;
        c["mask_token"] = MaskToken;
        c["oov_token"] = OovToken;
        c["vocabulary"] = _vocabulary?.ToArray();
        c["output_mode"] = OutputMode;
        return c;
    }
}
