using Sharpkeras.Data.Pipeline;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Maps texts to sequences of token indices (Keras's <c>TextVectorization</c> with <c>output_mode="int"</c>):
/// standardize, split into tokens, look each token up in a vocabulary learned by <see cref="Adapt"/>.
/// Index 0 is padding (""), 1 is the out-of-vocabulary token "[UNK]", then tokens by decreasing frequency
/// (ties: the token whose UTF-8 bytes sort higher comes first, as Keras sorts them).
/// </summary>
/// <remarks>
/// Texts are not tensors in TorchSharp, so the layer is used outside the model on strings: call
/// <see cref="Vectorize"/> (e.g. in <c>TextDataset.Map</c>) and feed the int64 result to an <c>Embedding</c>.
/// Standardization follows Keras exactly: "lower" lower-cases ASCII letters (like <c>tf.strings.lower</c>),
/// "strip_punctuation" removes the 32 ASCII punctuation characters <c>!"#$%&amp;'()*+,-./:;&lt;=&gt;?@[\]^_`{|}~</c>;
/// "whitespace" splitting splits on runs of ASCII whitespace.
/// </remarks>
public sealed class TextVectorization : Layer
{
    /// <summary>The padding token (index 0).</summary>
    public const string MaskToken = "";

    /// <summary>The out-of-vocabulary token (index 1).</summary>
    public const string OovToken = "[UNK]";

    private static readonly string?[] Standardizations = [null, "lower_and_strip_punctuation", "lower", "strip_punctuation"];
    private static readonly string?[] Splits = [null, "whitespace", "character"];

    private readonly Func<string, string>? _customStandardize;
    private List<string>? _vocabulary; // learned tokens, without the two special ones
    private Dictionary<string, long>? _lookup;

    /// <summary>Creates the layer.</summary>
    /// <param name="maxTokens">Maximum vocabulary size, padding and "[UNK]" included (so at most maxTokens − 2 learned tokens); null for no limit.</param>
    /// <param name="outputSequenceLength">Pad (with 0, at the end) or truncate (keeping the first tokens) every output to this length;
    /// null pads each call's output to its longest text.</param>
    /// <param name="standardize">"lower_and_strip_punctuation" (default), "lower", "strip_punctuation", or null for none.</param>
    /// <param name="split">"whitespace" (default), "character", or null (the whole standardized text is one token).</param>
    /// <param name="outputMode">"int" (the only mode implemented: token indices).</param>
    /// <param name="vocabulary">A vocabulary to use instead of <see cref="Adapt"/> (see <see cref="SetVocabulary"/>).</param>
    /// <param name="customStandardize">A standardization applied before <paramref name="standardize"/>, e.g. removing
    /// <c>&lt;br /&gt;</c> tags (Keras accepts a callable as <c>standardize</c>; pass <c>standardize: null</c> to use only this one).</param>
    /// <param name="name">Layer name.</param>
    public TextVectorization(int? maxTokens = null, int? outputSequenceLength = null, string? standardize = "lower_and_strip_punctuation",
        string? split = "whitespace", string outputMode = "int", IEnumerable<string>? vocabulary = null,
        Func<string, string>? customStandardize = null, string? name = null)
        : base(name)
    {
        if (maxTokens is <= 1)
            throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, $"TextVectorization: maxTokens must be greater than 1 (or null); got {maxTokens}.");
        if (outputSequenceLength is < 1)
            throw new ArgumentOutOfRangeException(nameof(outputSequenceLength), outputSequenceLength, $"TextVectorization: outputSequenceLength must be positive (or null); got {outputSequenceLength}.");
        if (!Standardizations.Contains(standardize))
            throw new ArgumentException($"TextVectorization: standardize must be \"lower_and_strip_punctuation\", \"lower\", \"strip_punctuation\" or null; got \"{standardize}\".", nameof(standardize));
        if (!Splits.Contains(split))
            throw new ArgumentException($"TextVectorization: split must be \"whitespace\", \"character\" or null; got \"{split}\".", nameof(split));
        if (outputMode != "int")
            throw new ArgumentException(outputMode is "multi_hot" or "count" or "tf_idf"
                ? $"TextVectorization: outputMode \"{outputMode}\" is not implemented; only \"int\" is."
                : $"TextVectorization: outputMode must be \"int\"; got \"{outputMode}\".", nameof(outputMode));
        MaxTokens = maxTokens;
        OutputSequenceLength = outputSequenceLength;
        Standardize = standardize;
        Split = split;
        OutputMode = outputMode;
        _customStandardize = customStandardize;
        if (vocabulary != null) SetVocabulary(vocabulary);
    }

    /// <summary>Maximum vocabulary size (special tokens included), or null.</summary>
    public int? MaxTokens { get; }

    /// <summary>Fixed output length, or null.</summary>
    public int? OutputSequenceLength { get; }

    /// <summary>The standardization alias, or null.</summary>
    public string? Standardize { get; }

    /// <summary>The split mode, or null.</summary>
    public string? Split { get; }

    /// <summary>The output mode ("int").</summary>
    public string OutputMode { get; }

    /// <summary>Whether a vocabulary is set (by <see cref="Adapt"/> or <see cref="SetVocabulary"/>).</summary>
    public bool HasVocabulary => _vocabulary != null;

    /// <summary>
    /// Learns the vocabulary from texts (Keras's <c>adapt</c>): counts every token, sorts by count (descending,
    /// ties by descending UTF-8 byte order) and keeps the first <c>maxTokens − 2</c>. Replaces any previous vocabulary.
    /// </summary>
    /// <param name="data">The texts, one document each.</param>
    public void Adapt(IEnumerable<string> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var text in data)
        {
            if (text is null) throw new ArgumentException($"TextVectorization '{Name}': Adapt got a null text.", nameof(data));
            foreach (var token in Tokenize(text))
                counts[token] = counts.TryGetValue(token, out var c) ? c + 1 : 1;
        }
        counts.Remove(MaskToken);
        counts.Remove(OovToken);
        var sorted = counts.ToList();
        sorted.Sort((a, b) =>
        {
            int byCount = b.Value.CompareTo(a.Value);
            return byCount != 0 ? byCount : TextStandardization.CompareUtf8(b.Key, a.Key);
        });
        int keep = MaxTokens is int m ? Math.Min(sorted.Count, m - 2) : sorted.Count;
        Install(sorted.Take(keep).Select(kv => kv.Key).ToList());
    }

    /// <summary>
    /// Sets the vocabulary directly (Keras's <c>set_vocabulary</c>): the learned tokens in index order (index 2 first).
    /// A leading "" and "[UNK]" are accepted and skipped.
    /// </summary>
    /// <param name="vocabulary">Distinct, non-empty tokens.</param>
    public void SetVocabulary(IEnumerable<string> vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        var list = vocabulary.ToList();
        if (list.Count >= 1 && list[0] == MaskToken) list.RemoveAt(0);
        if (list.Count >= 1 && list[0] == OovToken) list.RemoveAt(0);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in list)
        {
            if (t is null || t == MaskToken || t == OovToken)
                throw new ArgumentException($"TextVectorization '{Name}': the vocabulary may contain \"\" and \"[UNK]\" only at its start, and no null token.", nameof(vocabulary));
            if (!seen.Add(t)) throw new ArgumentException($"TextVectorization '{Name}': the vocabulary has the token \"{t}\" twice.", nameof(vocabulary));
        }
        if (MaxTokens is int m && list.Count + 2 > m)
            throw new ArgumentException($"TextVectorization '{Name}': the vocabulary has {list.Count + 2} entries (with \"\" and \"[UNK]\"), more than maxTokens = {m}.", nameof(vocabulary));
        Install(list);
    }

    private void Install(List<string> tokens)
    {
        var lookup = new Dictionary<string, long>(tokens.Count, StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++) lookup[tokens[i]] = i + 2;
        _vocabulary = tokens;
        _lookup = lookup;
    }

    /// <summary>The vocabulary in index order (Keras's <c>get_vocabulary</c>): "", "[UNK]", then the learned tokens.</summary>
    /// <param name="includeSpecialTokens">Include "" and "[UNK]" (so a token's position is its index).</param>
    public List<string> GetVocabulary(bool includeSpecialTokens = true)
    {
        var v = _vocabulary ?? [];
        return includeSpecialTokens ? [MaskToken, OovToken, .. v] : [.. v];
    }

    /// <summary>Vocabulary size including "" and "[UNK]".</summary>
    public int VocabularySize() => (_vocabulary?.Count ?? 0) + 2;

    /// <summary>
    /// Turns texts into an int64 tensor of token indices, shape (texts, outputSequenceLength) — or
    /// (texts, longest text) when <see cref="OutputSequenceLength"/> is null. Unknown tokens get 1, padding is 0 at the end.
    /// </summary>
    /// <param name="texts">The texts.</param>
    /// <exception cref="InvalidOperationException">No vocabulary yet (call <see cref="Adapt"/> or <see cref="SetVocabulary"/>).</exception>
    public Tensor Vectorize(IEnumerable<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var lookup = _lookup ?? throw new InvalidOperationException(
            $"TextVectorization '{Name}' has no vocabulary: call Adapt(texts) or SetVocabulary(tokens) before Vectorize.");
        var rows = new List<long[]>();
        foreach (var text in texts)
        {
            if (text is null) throw new ArgumentException($"TextVectorization '{Name}': Vectorize got a null text.", nameof(texts));
            var tokens = Tokenize(text);
            int n = OutputSequenceLength is int l ? Math.Min(l, tokens.Count) : tokens.Count;
            var ids = new long[n];
            for (int i = 0; i < n; i++) ids[i] = lookup.TryGetValue(tokens[i], out var id) ? id : 1;
            rows.Add(ids);
        }
        int width = OutputSequenceLength ?? (rows.Count == 0 ? 0 : rows.Max(r => r.Length));
        var data = new long[(long)rows.Count * width];
        for (int r = 0; r < rows.Count; r++) Array.Copy(rows[r], 0, data, (long)r * width, rows[r].Length);
        return torch.tensor(data, new long[] { rows.Count, width }, dtype: ScalarType.Int64);
    }

    /// <summary>The tokens of one text after standardization and splitting (what the vocabulary is built from).</summary>
    /// <param name="text">A text.</param>
    public List<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (_customStandardize != null) text = _customStandardize(text) ?? throw new InvalidOperationException($"TextVectorization '{Name}': customStandardize returned null.");
        if (Standardize is "lower" or "lower_and_strip_punctuation") text = TextStandardization.LowerAscii(text);
        if (Standardize is "strip_punctuation" or "lower_and_strip_punctuation") text = TextStandardization.StripPunctuation(text);
        return Split switch
        {
            "whitespace" => TextStandardization.SplitWhitespace(text),
            "character" => SplitCharacters(text),
            _ => [text],
        };
    }

    private static List<string> SplitCharacters(string text)
    {
        var r = new List<string>(text.Length);
        // Keras splits into Unicode code points (tf.strings.unicode_split), not grapheme clusters.
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                r.Add(text.Substring(i, 2));
                i++;
            }
            else r.Add(text[i].ToString());
        }
        return r;
    }

    /// <summary>Not usable on tensors: texts are strings. Use <see cref="Vectorize"/>.</summary>
    /// <param name="inputs">Any tensor; always rejected.</param>
    /// <param name="training">Unused.</param>
    /// <exception cref="System.InvalidOperationException">Always: strings are not tensors in TorchSharp.</exception>
    public override Tensor Call(Tensor inputs, bool training)
        => throw new InvalidOperationException(
            $"TextVectorization '{Name}' works on strings, which are not tensors in TorchSharp: call Vectorize(texts) to get int64 token indices, then feed them to the model.");

    /// <summary>(batch, outputSequenceLength).</summary>
    /// <param name="inputShape">The shape of the batch of texts, (batch) or (batch, 1).</param>
    public override int?[] ComputeOutputShape(int?[] inputShape) => [inputShape.Length > 0 ? inputShape[0] : null, OutputSequenceLength];

    /// <summary>The configuration, vocabulary included (without the special tokens).</summary>
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["max_tokens"] = MaxTokens;
        c["output_sequence_length"] = OutputSequenceLength;
        c["standardize"] = Standardize;
        c["split"] = Split;
        c["output_mode"] = OutputMode;
        c["vocabulary"] = _vocabulary?.ToArray();
        return c;
    }
}
