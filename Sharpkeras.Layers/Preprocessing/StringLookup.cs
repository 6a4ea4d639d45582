using Sharpkeras.Data.Pipeline;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Maps strings to contiguous indices through a vocabulary (Keras's <c>StringLookup</c>); the index layout, output modes and
/// <c>adapt</c> are <see cref="IndexLookup{TToken}"/>'s (ties in <c>adapt</c>: the larger UTF-8 byte string first). With more than
/// one OOV index an unknown string goes to OOV index <c>FarmHash64(utf8) mod numOovIndices</c>, or with a <c>salt</c> to its
/// SipHash-2-4, as Keras does.
/// </summary>
/// <remarks>
/// Strings are not tensors in TorchSharp, so the layer works on strings outside the model: <see cref="Lookup(IEnumerable{string})"/>
/// returns the indices (or their encoding in the other output modes) and <see cref="InverseLookup"/> maps indices back to strings
/// (what Keras's <c>invert=True</c> layer does). <c>Call</c> on a tensor throws.
/// </remarks>
public sealed class StringLookup : IndexLookup<string>
{
    private Dictionary<string, long>? _lookup;
    private int _lookupVersion = -1;

    /// <summary>Creates the layer.</summary>
    /// <param name="maxTokens">Maximum vocabulary size, mask and OOV indices included; null for no limit. Must be &gt; 1.</param>
    /// <param name="numOovIndices">Number of out-of-vocabulary indices (default 1, ≥ 0). With 0, an unknown string is an error.</param>
    /// <param name="maskToken">The string meaning "masked", or null (default) for none.</param>
    /// <param name="oovToken">The out-of-vocabulary token (default "[UNK]").</param>
    /// <param name="vocabulary">A vocabulary to use instead of <see cref="Adapt(IEnumerable{string})"/> (see <see cref="IndexLookup{TToken}.SetVocabulary"/>).</param>
    /// <param name="idfWeights">Inverse document frequencies for <paramref name="vocabulary"/> ("tf_idf" only, then required with a vocabulary).</param>
    /// <param name="invert">Whether the layer is meant to map indices to strings (<see cref="InverseLookup"/>); "int" mode only, and
    /// then <see cref="Lookup(IEnumerable{string})"/> is refused.</param>
    /// <param name="outputMode">"int" (default), "one_hot", "multi_hot", "count" or "tf_idf".</param>
    /// <param name="padToMaxTokens">Encode with depth <paramref name="maxTokens"/> whatever the vocabulary size (needs maxTokens).</param>
    /// <param name="sparse">Keras's <c>sparse</c>; only false (dense outputs) is supported.</param>
    /// <param name="encoding">Keras's <c>encoding</c>: only "utf-8".</param>
    /// <param name="salt">SipHash key (two integers) for hashing unknown strings to OOV indices, or null for FarmHash64.</param>
    /// <param name="oovMethod">Keras's <c>oov_method</c> ("floormod" or "farmhash"); strings are always hashed, so it changes nothing here.</param>
    /// <param name="name">Layer name.</param>
    public StringLookup(int? maxTokens = null, int numOovIndices = 1, string? maskToken = null, string oovToken = "[UNK]",
        string[]? vocabulary = null, double[]? idfWeights = null, bool invert = false, string outputMode = "int", bool padToMaxTokens = false,
        bool sparse = false, string encoding = "utf-8", long[]? salt = null, string oovMethod = "floormod", string? name = null)
        : base("StringLookup", TextStandardization.CompareUtf8, StringComparer.Ordinal, maxTokens, numOovIndices, maskToken is not null,
            maskToken ?? "", CheckOov(oovToken, encoding), vocabulary, idfWeights, invert, outputMode, sparse, padToMaxTokens, oovMethod, salt,
            integerTokens: false, name, null)
    {
    }

    private static string CheckOov(string oovToken, string encoding)
    {
        ArgumentNullException.ThrowIfNull(oovToken);
        if (!string.Equals(encoding?.Replace("_", "-"), "utf-8", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"StringLookup: only encoding \"utf-8\" is supported; got \"{encoding}\".", nameof(encoding));
        return oovToken;
    }

    /// <summary>The mask token, or null.</summary>
    public string? MaskToken => HasMask ? MaskValue : null;

    /// <summary>The OOV token.</summary>
    public string OovToken => OovValue;

    /// <summary>Learns the vocabulary (Keras's <c>adapt</c> on a 1-D array of strings: each string is its own document).</summary>
    /// <param name="data">The strings.</param>
    public void Adapt(IEnumerable<string> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        AdaptDocuments(data.Select(s => (IReadOnlyList<string>)[s ?? throw new ArgumentException($"StringLookup '{Name}': Adapt got a null string.", nameof(data))]));
    }

    /// <summary>Learns the vocabulary from documents (rows of tokens; a row is a document for "tf_idf").</summary>
    /// <param name="documents">The documents.</param>
    public void Adapt(IEnumerable<IReadOnlyList<string>> documents) => AdaptDocuments(documents);

    private long Index(string s, Dictionary<string, long> lookup)
    {
        if (s is null) throw new ArgumentException($"StringLookup '{Name}': Lookup got a null string.", "values");
        if (HasMask && s == MaskValue) return MaskIndex;
        if (lookup.TryGetValue(s, out var id)) return id;
        if (NumOovIndices == 0)
            throw new ArgumentException($"StringLookup '{Name}': \"{s}\" is not in the vocabulary and numOovIndices = 0 (set numOovIndices = 1).", "values");
        if (NumOovIndices == 1) return OovStartIndex;
        return OovStartIndex + (long)Hashing.HashToBucket(s, (ulong)NumOovIndices, Salt);
    }

    private Dictionary<string, long> Table()
    {
        if (Invert)
            throw new InvalidOperationException($"StringLookup '{Name}' was made with invert: true: it maps indices to strings (InverseLookup), not strings to indices.");
        if (_lookup is not null && _lookupVersion == VocabularyVersion) return _lookup;
        var tokens = Tokens;
        int start = TokenStartIndex;
        var lookup = new Dictionary<string, long>(tokens.Count, StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++) lookup[tokens[i]] = i + start;
        _lookup = lookup;
        _lookupVersion = VocabularyVersion;
        return lookup;
    }

    /// <summary>
    /// Maps strings to int64 indices, shape (count), on the CPU ("int" mode); in the other modes each string is a sample and the
    /// result is its encoding, shape (count, depth).
    /// </summary>
    /// <param name="values">The strings.</param>
    public Tensor Lookup(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var table = Table();
        var ids = values.Select(s => Index(s, table)).ToArray();
        return Finish(torch.tensor(ids, dtype: ScalarType.Int64));
    }

    /// <summary>
    /// Maps rows of strings (all of one length) to int64 indices, shape (rows, length), in "int" mode; in the other modes each row is
    /// a sample (e.g. "multi_hot": which vocabulary entries occur in the row), shape (rows, depth).
    /// </summary>
    /// <param name="rows">The rows of strings.</param>
    public Tensor Lookup(IEnumerable<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var table = Table();
        var list = rows.Select(r => r ?? throw new ArgumentException($"StringLookup '{Name}': Lookup got a null row.", nameof(rows))).ToList();
        int width = list.Count == 0 ? 0 : list[0].Count;
        if (list.Any(r => r.Count != width))
            throw new ArgumentException($"StringLookup '{Name}': every row must have the same length ({width}); got lengths {string.Join(", ", list.Select(r => r.Count).Distinct())}.", nameof(rows));
        var ids = list.SelectMany(r => r).Select(s => Index(s, table)).ToArray();
        return Finish(torch.tensor(ids, new long[] { list.Count, width }, dtype: ScalarType.Int64));
    }

    /// <summary>Maps indices back to strings (Keras's <c>invert=True</c>): the mask index gives the mask token, unknown indices the OOV token.</summary>
    /// <param name="indices">An integer tensor.</param>
    public List<string> InverseLookup(Tensor indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (!indices.dtype.IsInteger())
            throw new ArgumentException($"StringLookup '{Name}': InverseLookup expects an integer tensor; got {indices.dtype}.", nameof(indices));
        if (OutputMode != "int")
            throw new InvalidOperationException($"StringLookup '{Name}': InverseLookup needs outputMode \"int\" (as Keras's invert); outputMode is \"{OutputMode}\".");
        var vocab = GetVocabulary();
        long[] ids;
        using (NewDisposeScope()) ids = indices.to(ScalarType.Int64).cpu().flatten().data<long>().ToArray();
        return ids.Select(i => i >= 0 && i < vocab.Count ? vocab[(int)i] : OovToken).ToList();
    }

    /// <summary>Not usable on tensors: strings are not tensors in TorchSharp. Use <see cref="Lookup(IEnumerable{string})"/>.</summary>
    /// <param name="inputs">Any tensor; always rejected.</param>
    /// <param name="training">Unused.</param>
    /// <exception cref="System.InvalidOperationException">Always: strings are not tensors in TorchSharp.</exception>
    public override Tensor Call(Tensor inputs, bool training)
        => throw new InvalidOperationException($"StringLookup '{Name}' works on strings, which are not tensors in TorchSharp: call Lookup(strings) to get int64 indices.");

    /// <summary>The configuration (Keras's keys, vocabulary with the special tokens first).</summary>
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["encoding"] = "utf-8";
        return c;
    }
}
