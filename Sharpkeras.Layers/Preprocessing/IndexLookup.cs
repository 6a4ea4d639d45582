using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// What <see cref="IntegerLookup"/> and <see cref="StringLookup"/> share (Keras's <c>IndexLookup</c>): the vocabulary and its index
/// layout, <c>adapt</c>, <c>set_vocabulary</c>, the output modes and the config.
/// </summary>
/// <remarks>
/// <para>Index layout, as in Keras: with a mask token and <c>outputMode</c> "int", index 0 is the mask; then <c>numOovIndices</c>
/// out-of-vocabulary indices; then the vocabulary. In the other modes the mask takes no index (masked values are dropped from
/// the encoding).</para>
/// <para>Output modes: "int" (the indices, int64), "one_hot" (one vector per value; a trailing axis of 1 is replaced), "multi_hot"
/// (1 where an index occurs in the sample, the last axis being the sample), "count" (how often), "tf_idf" (counts times the
/// inverse document frequencies). The encodings are float32 of depth <c>maxTokens</c> with <c>padToMaxTokens</c>, else the
/// vocabulary size (fixed once set: changing it afterwards is an error, as in Keras).</para>
/// <para><c>adapt</c> counts tokens, orders them by descending count (ties: the larger token first, numpy's
/// <c>lexsort((tokens, counts))[::-1]</c>), drops the mask and OOV tokens and keeps the first <c>maxTokens − (mask + numOovIndices)</c>.
/// With "tf_idf" it also counts in how many documents each token occurs and sets idf = log(1 + documents / (1 + document count)),
/// the special indices getting the mean idf. A layer built with a <c>vocabulary</c> cannot be adapted (as in Keras).</para>
/// </remarks>
/// <typeparam name="TToken">The token type: <c>long</c> or <c>string</c>.</typeparam>
public abstract class IndexLookup<TToken> : Layer where TToken : notnull
{
    private static readonly string[] Modes = ["int", "one_hot", "multi_hot", "count", "tf_idf"];

    private readonly string _kind;
    private readonly Comparison<TToken> _order;
    private readonly IEqualityComparer<TToken> _eq;
    private readonly bool _hasInputVocabulary;
    private List<TToken>? _tokens;   // learned tokens only, in index order
    private float[]? _idf;           // Keras's idf_weights (special indices and back padding included)
    private Tensor? _idfTensor;
    private Device? _idfDevice;
    private int? _frozenVocabSize;

    /// <summary>Creates the layer (for <see cref="IntegerLookup"/> and <see cref="StringLookup"/>).</summary>
    private protected IndexLookup(string kind, Comparison<TToken> order, IEqualityComparer<TToken> equality, int? maxTokens, int numOovIndices,
        bool hasMask, TToken maskToken, TToken oovToken, IEnumerable<TToken>? vocabulary, double[]? idfWeights, bool invert, string outputMode,
        bool sparse, bool padToMaxTokens, string oovMethod, long[]? salt, bool integerTokens, string? name, int?[]? inputShape)
        : base(name, inputShape: inputShape)
    {
        _kind = kind;
        _order = order;
        _eq = equality;
        if (maxTokens is <= 1)
            throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, $"{kind}: maxTokens must be greater than 1 (or null); got {maxTokens}.");
        if (padToMaxTokens && maxTokens is null)
            throw new ArgumentException($"{kind}: padToMaxTokens needs maxTokens; got maxTokens = null.", nameof(padToMaxTokens));
        if (numOovIndices < 0)
            throw new ArgumentOutOfRangeException(nameof(numOovIndices), numOovIndices, $"{kind}: numOovIndices must be ≥ 0; got {numOovIndices}.");
        if (oovMethod is not ("floormod" or "farmhash"))
            throw new ArgumentException($"{kind}: oovMethod must be \"floormod\" or \"farmhash\"; got \"{oovMethod}\".", nameof(oovMethod));
        if (salt is not null)
        {
            if (integerTokens && oovMethod != "farmhash")
                throw new ArgumentException($"{kind}: salt can only be used with oovMethod \"farmhash\"; got oovMethod \"{oovMethod}\".", nameof(salt));
            if (salt.Length != 2)
                throw new ArgumentException($"{kind}: salt must hold exactly 2 integers (write a single integer s as [s, s]); got {salt.Length}.", nameof(salt));
        }
        outputMode = outputMode switch { "binary" => "multi_hot", "tf-idf" => "tf_idf", _ => outputMode }; // Keras's deprecated names
        if (!Modes.Contains(outputMode))
            throw new ArgumentException($"{kind}: outputMode must be one of \"int\", \"one_hot\", \"multi_hot\", \"count\", \"tf_idf\"; got \"{outputMode}\".", nameof(outputMode));
        if (invert && outputMode != "int")
            throw new ArgumentException($"{kind}: outputMode must be \"int\" when invert is true; got \"{outputMode}\".", nameof(outputMode));
        if (sparse)
            throw new ArgumentException(outputMode == "int"
                ? $"{kind}: sparse=true may only be used with outputMode \"one_hot\", \"multi_hot\", \"count\" or \"tf_idf\"."
                : $"{kind}: sparse=true is not supported (TorchSharp layers produce dense tensors); pass sparse: false.", nameof(sparse));
        if (idfWeights is not null && outputMode != "tf_idf")
            throw new ArgumentException($"{kind}: idfWeights should only be set with outputMode \"tf_idf\"; got outputMode \"{outputMode}\".", nameof(idfWeights));
        if (hasMask && equality.Equals(maskToken, oovToken))
            throw new ArgumentException($"{kind}: maskToken and oovToken must differ; both are {maskToken}.", "maskToken");
        if (outputMode == "tf_idf" && vocabulary is not null && idfWeights is null)
            throw new ArgumentException($"{kind}: with a vocabulary and outputMode \"tf_idf\", idfWeights must be given too.", nameof(idfWeights));
        MaxTokens = maxTokens;
        NumOovIndices = numOovIndices;
        HasMask = hasMask;
        MaskValue = maskToken;
        OovValue = oovToken;
        Invert = invert;
        OutputMode = outputMode;
        PadToMaxTokens = padToMaxTokens;
        OovMethod = oovMethod;
        Salt = salt?.ToArray();
        AcceptsIntegerInput = true;
        if (vocabulary is not null) SetVocabulary(vocabulary, idfWeights);
        _hasInputVocabulary = vocabulary is not null;
    }

    /// <summary>Maximum vocabulary size (special indices included), or null.</summary>
    public int? MaxTokens { get; }

    /// <summary>Number of OOV indices.</summary>
    public int NumOovIndices { get; }

    /// <summary>Whether the layer maps indices to tokens.</summary>
    public bool Invert { get; }

    /// <summary>"int", "one_hot", "multi_hot", "count" or "tf_idf".</summary>
    public string OutputMode { get; }

    /// <summary>Whether encodings have depth <see cref="MaxTokens"/> whatever the vocabulary size.</summary>
    public bool PadToMaxTokens { get; }

    /// <summary>How integers beyond the vocabulary pick one of several OOV indices: "floormod" (default) or "farmhash".</summary>
    public string OovMethod { get; }

    /// <summary>The SipHash key (two integers) used to hash OOV tokens, or null for FarmHash64.</summary>
    public long[]? Salt { get; }

    /// <summary>Keras's <c>idf_weights</c> ("tf_idf" only, once known): one weight per index (special indices included, zeros up to
    /// <see cref="MaxTokens"/> with <see cref="PadToMaxTokens"/>).</summary>
    public IReadOnlyList<float>? IdfWeights => _idf;

    /// <summary>Whether a mask token is set.</summary>
    private protected bool HasMask { get; }

    /// <summary>The mask token (meaningful when <see cref="HasMask"/>).</summary>
    private protected TToken MaskValue { get; }

    /// <summary>The OOV token.</summary>
    private protected TToken OovValue { get; }

    /// <summary>Bumped at every vocabulary change (derived layers rebuild their lookup tables lazily).</summary>
    private protected int VocabularyVersion { get; private set; }

    /// <summary>The learned tokens in index order (index <see cref="TokenStartIndex"/> first).</summary>
    private protected IReadOnlyList<TToken> Tokens => _tokens ?? (IReadOnlyList<TToken>)Array.Empty<TToken>();

    /// <summary>Keras's <c>_oov_start_index</c>: 1 with a mask in "int" mode, else 0.</summary>
    private protected int OovStartIndex => HasMask && OutputMode == "int" ? 1 : 0;

    /// <summary>Keras's <c>_token_start_index</c>: the index of the first vocabulary token.</summary>
    private protected int TokenStartIndex => OovStartIndex + NumOovIndices;

    /// <summary>The index a masked value gets: 0 in "int" mode, −1 (dropped from the encoding) otherwise.</summary>
    private protected long MaskIndex => OutputMode == "int" ? 0 : -1;

    /// <summary>The encoding depth: <see cref="MaxTokens"/> with padding, else the vocabulary size once set.</summary>
    private protected int? Depth => PadToMaxTokens ? MaxTokens : _frozenVocabSize;

    /// <summary>The vocabulary in index order (Keras's <c>get_vocabulary</c>): the mask (in "int" mode), the OOV token once per OOV index, then the tokens.</summary>
    /// <param name="includeSpecialTokens">Include the mask and OOV entries (so a token's position is its index).</param>
    public List<TToken> GetVocabulary(bool includeSpecialTokens = true)
    {
        var r = new List<TToken>(TokenStartIndex + Tokens.Count);
        if (includeSpecialTokens)
        {
            if (OovStartIndex == 1) r.Add(MaskValue);
            for (int i = 0; i < NumOovIndices; i++) r.Add(OovValue);
        }
        r.AddRange(Tokens);
        return r;
    }

    /// <summary>Vocabulary size including the mask (in "int" mode) and OOV indices.</summary>
    public int VocabularySize() => TokenStartIndex + Tokens.Count;

    private string Describe(TToken t) => t is string s ? $"\"{s}\"" : t.ToString()!;

    /// <summary>
    /// Sets the vocabulary (Keras's <c>set_vocabulary</c>): the tokens in index order, optionally preceded by the special tokens in
    /// index order (mask in "int" mode, then the OOV token once per OOV index), which are then skipped. With "tf_idf",
    /// <paramref name="idfWeights"/> (one per entry of <paramref name="vocabulary"/>) is required; without the special tokens their
    /// weight is the mean of the given ones.
    /// </summary>
    /// <param name="vocabulary">Distinct tokens (no mask token; no OOV token when inverting).</param>
    /// <param name="idfWeights">The inverse document frequencies ("tf_idf" only).</param>
    public void SetVocabulary(IEnumerable<TToken> vocabulary, double[]? idfWeights = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (OutputMode == "tf_idf" && idfWeights is null)
            throw new ArgumentException($"{_kind} '{Name}': idfWeights must be set when outputMode is \"tf_idf\".", nameof(idfWeights));
        if (OutputMode != "tf_idf" && idfWeights is not null)
            throw new ArgumentException($"{_kind} '{Name}': idfWeights should only be set with outputMode \"tf_idf\"; outputMode is \"{OutputMode}\".", nameof(idfWeights));
        var list = vocabulary.ToList();
        if (list.Any(t => t is null)) throw new ArgumentException($"{_kind} '{Name}': the vocabulary contains null.", nameof(vocabulary));
        if (list.Count == 0) throw new ArgumentException($"{_kind} '{Name}': cannot set an empty vocabulary.", nameof(vocabulary));
        int tokenStart = TokenStartIndex;
        var special = Enumerable.Repeat(MaskValue, OovStartIndex).Concat(Enumerable.Repeat(OovValue, NumOovIndices)).ToList();
        bool foundSpecial = list.Count >= tokenStart && list.Take(tokenStart).SequenceEqual(special, _eq);
        var tokens = foundSpecial ? list.Skip(tokenStart).ToList() : list;
        var repeated = tokens.GroupBy(t => t, _eq).Where(g => g.Count() > 1).Select(g => Describe(g.Key)).ToList();
        if (repeated.Count > 0)
            throw new ArgumentException($"{_kind} '{Name}': the vocabulary has repeated tokens: {string.Join(", ", repeated)}.", nameof(vocabulary));
        string specialOrder = "[" + string.Join(", ", special.Select(Describe)) + "]";
        if (HasMask && tokens.Contains(MaskValue, _eq))
            throw new ArgumentException(
                $"{_kind} '{Name}': the mask token {Describe(MaskValue)} is in the vocabulary at an unexpected place; leave the special tokens out, or put them first in exactly this order: {specialOrder}.",
                nameof(vocabulary));
        if (Invert && tokens.Contains(OovValue, _eq))
            throw new ArgumentException(
                $"{_kind} '{Name}': the OOV token {Describe(OovValue)} is in the vocabulary at an unexpected place; leave the special tokens out, or put them first in exactly this order: {specialOrder}.",
                nameof(vocabulary));
        int newSize = tokenStart + tokens.Count;
        if (MaxTokens is int mx && newSize > mx)
            throw new ArgumentException($"{_kind} '{Name}': the vocabulary has {newSize} entries (special indices included), more than maxTokens = {mx}.", nameof(vocabulary));
        float[]? idf = null;
        if (idfWeights is not null)
        {
            if (idfWeights.Length != list.Count)
                throw new ArgumentException($"{_kind} '{Name}': idfWeights must be as long as the vocabulary ({list.Count}); got {idfWeights.Length}.", nameof(idfWeights));
            int front = foundSpecial ? 0 : tokenStart;
            double frontValue = foundSpecial ? 0 : idfWeights.Average();
            int back = PadToMaxTokens && MaxTokens is int m ? m - front - idfWeights.Length : 0;
            idf = Enumerable.Repeat((float)frontValue, front).Concat(idfWeights.Select(w => (float)w)).Concat(Enumerable.Repeat(0f, Math.Max(0, back))).ToArray();
        }
        CheckVocabularySizeUnchanged(newSize);
        Install(tokens, idf);
    }

    private void CheckVocabularySizeUnchanged(int newSize)
    {
        if (OutputMode == "int" || PadToMaxTokens) return;
        if (_frozenVocabSize is int old && old != newSize)
            throw new InvalidOperationException(
                $"{_kind} '{Name}': with outputMode \"{OutputMode}\" and padToMaxTokens false the vocabulary size cannot change once set (it fixes the output depth); " +
                $"it was {old}, the new vocabulary has {newSize}.");
    }

    private void Install(List<TToken> tokens, float[]? idf)
    {
        _tokens = tokens;
        if (idf is not null || OutputMode != "tf_idf") _idf = idf;
        _idfTensor?.Dispose();
        _idfTensor = null;
        _idfDevice = null;
        _frozenVocabSize = TokenStartIndex + tokens.Count;
        VocabularyVersion++;
    }

    /// <summary>
    /// Keras's <c>adapt</c> over documents (rows of tokens): counts, orders, truncates and installs the vocabulary (and with
    /// "tf_idf" the idf weights). Data without tokens leaves the vocabulary as it was.
    /// </summary>
    private protected void AdaptDocuments(IEnumerable<IReadOnlyList<TToken>> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        if (_hasInputVocabulary)
            throw new InvalidOperationException($"Cannot adapt {_kind} '{Name}': it was given a static vocabulary through the vocabulary argument.");
        var counts = new Dictionary<TToken, long>(_eq);
        var docCounts = new Dictionary<TToken, long>(_eq);
        long numDocuments = 0;
        bool tfIdf = OutputMode == "tf_idf";
        foreach (var doc in documents)
        {
            if (doc is null) throw new ArgumentException($"{_kind} '{Name}': Adapt got a null document.", nameof(documents));
            numDocuments++;
            foreach (var t in doc)
            {
                if (t is null) throw new ArgumentException($"{_kind} '{Name}': Adapt got a null token.", nameof(documents));
                counts[t] = counts.TryGetValue(t, out var c) ? c + 1 : 1;
            }
            if (tfIdf)
                foreach (var t in doc.Distinct(_eq)) docCounts[t] = docCounts.TryGetValue(t, out var c) ? c + 1 : 1;
        }
        if (counts.Count == 0) return;
        if (HasMask) counts.Remove(MaskValue);
        counts.Remove(OovValue);
        var sorted = counts.ToList();
        sorted.Sort((a, b) => { int byCount = b.Value.CompareTo(a.Value); return byCount != 0 ? byCount : _order(b.Key, a.Key); });
        if (MaxTokens is int mx && mx != 0)
        {
            int learned = mx - TokenStartIndex; // Python slice semantics, as Keras's sorted_indices[:learned]
            int keep = learned >= 0 ? Math.Min(learned, sorted.Count) : Math.Max(0, sorted.Count + learned);
            sorted = sorted.Take(keep).ToList();
        }
        var tokens = sorted.Select(kv => kv.Key).ToList();
        float[]? idf = null;
        if (tfIdf)
        {
            var learnedIdf = tokens.Select(t => (float)Math.Log(1 + (double)numDocuments / (1 + (docCounts.TryGetValue(t, out var d) ? d : 0)))).ToArray();
            float mean = learnedIdf.Length == 0 ? float.NaN : (float)learnedIdf.Select(v => (double)v).Average();
            int back = PadToMaxTokens && MaxTokens is int m ? Math.Max(0, m - TokenStartIndex - learnedIdf.Length) : 0;
            idf = Enumerable.Repeat(mean, TokenStartIndex).Concat(learnedIdf).Concat(Enumerable.Repeat(0f, back)).ToArray();
        }
        CheckVocabularySizeUnchanged(TokenStartIndex + tokens.Count);
        Install(tokens, idf);
    }

    /// <summary>Turns lookup indices (int64; masked values at <see cref="MaskIndex"/>) into the layer's output for its mode.</summary>
    private protected Tensor Finish(Tensor indices)
    {
        if (OutputMode == "int") return indices;
        if (Depth is not int depth)
            throw new InvalidOperationException(
                $"{_kind} '{Name}': with outputMode \"{OutputMode}\" and padToMaxTokens false, set the vocabulary before calling the layer " +
                "(pass a vocabulary, call SetVocabulary, or call Adapt with sample data).");
        if (OutputMode != "tf_idf") return CategoryEncoding.EncodeIds(indices, depth, OutputMode, null);
        if (_idf is null)
            throw new InvalidOperationException($"{_kind} '{Name}': with outputMode \"tf_idf\" the idf weights must be known (set a vocabulary with idfWeights, or Adapt).");
        if (_idfTensor is null || !Engine.DeviceUtils.Same(_idfDevice!, indices.device))
        {
            _idfTensor?.Dispose();
            using (NewDisposeScope()) _idfTensor = torch.tensor(_idf, dtype: ScalarType.Float32, device: indices.device).MoveToOuterDisposeScope();
            _idfDevice = indices.device;
        }
        if (_idf.Length != depth)
            throw new InvalidOperationException($"{_kind} '{Name}': the idf weights hold {_idf.Length} values for an encoding depth of {depth}.");
        return CategoryEncoding.EncodeIds(indices, depth, "count", null) * _idfTensor;
    }

    /// <inheritdoc />
    protected override ScalarType OutputDType(ScalarType inputType) => OutputMode == "int" ? ScalarType.Int64 : ScalarType.Float32;

    /// <summary>The input shape in "int" mode; otherwise the encoded shape of depth <see cref="Depth"/> (null while unknown).</summary>
    /// <param name="inputShape">The input shape, batch included.</param>
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (OutputMode == "int") return inputShape;
        int? depth = Depth;
        if (inputShape.Length == 0) return [depth];
        if (OutputMode == "one_hot")
            return inputShape.Length > 1 && inputShape[^1] == 1 ? [.. inputShape[..^1], depth] : [.. inputShape, depth];
        return inputShape.Length == 1 ? [.. inputShape, depth] : [.. inputShape[..^1], depth];
    }

    /// <summary>The configuration: Keras's keys, with the vocabulary (special tokens first) and the idf weights when known.</summary>
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["invert"] = Invert;
        c["max_tokens"] = MaxTokens;
        c["num_oov_indices"] = NumOovIndices;
        c["oov_token"] = (object)OovValue;
        c["mask_token"] = HasMask ? (object)MaskValue : null;
        c["output_mode"] = OutputMode;
        c["sparse"] = false;
        c["pad_to_max_tokens"] = PadToMaxTokens;
        bool hasVocabulary = _tokens is not null && VocabularySize() > 0;
        c["vocabulary"] = hasVocabulary ? GetVocabulary(includeSpecialTokens: true).ToArray() : null;
        c["idf_weights"] = hasVocabulary && _idf is not null ? _idf.Take(VocabularySize()).Select(w => (double)w).ToArray() : null;
        c["vocabulary_size"] = _frozenVocabSize;
        c["oov_method"] = OovMethod;
        c["salt"] = Salt?.ToArray();
        return c;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _idfTensor?.Dispose();
            _idfTensor = null;
        }
        base.Dispose(disposing);
    }
}
