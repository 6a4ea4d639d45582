using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Maps integer values to contiguous indices through a vocabulary (Keras's <c>IntegerLookup</c>); the index layout, output modes
/// and <c>adapt</c> are <see cref="IndexLookup{TToken}"/>'s. With more than one OOV index an unknown value v goes to OOV index
/// <c>floormod(v, numOovIndices)</c> (Keras's default <c>oovMethod</c> "floormod"), or with "farmhash" to FarmHash64 of its
/// decimal text (SipHash-2-4 with a <c>salt</c>) modulo <c>numOovIndices</c>. With <c>invert</c> the layer maps indices back to
/// values (mask index → mask token, any other unknown index → <c>oovToken</c>).
/// </summary>
/// <remarks>
/// <see cref="Adapt"/> takes an integer tensor: a rank-1 tensor holds one-token documents (as Keras reads a 1-D array), a higher
/// rank one document per row (the first axis). "farmhash" OOV hashing runs on the host.
/// </remarks>
public sealed class IntegerLookup : IndexLookup<long>
{
    private Tensor? _sortedKeys, _sortedValues, _invertTable; // lazily built, per device
    private Device? _tableDevice;
    private int _tableVersion = -1;

    /// <summary>Creates the layer.</summary>
    /// <param name="maxTokens">Maximum vocabulary size, mask and OOV indices included; null for no limit. Must be &gt; 1.</param>
    /// <param name="numOovIndices">Number of out-of-vocabulary indices (default 1, ≥ 0). With 0, an unknown value is an error.</param>
    /// <param name="maskToken">The value that means "masked", or null (default) for none.</param>
    /// <param name="oovToken">The value standing for unknown values (default −1): returned for unknown indices when <paramref name="invert"/>.</param>
    /// <param name="vocabulary">A vocabulary to use instead of <see cref="Adapt"/> (see <see cref="IndexLookup{TToken}.SetVocabulary"/>).</param>
    /// <param name="vocabularyDtype">Keras's <c>vocabulary_dtype</c>: only "int64", as in Keras.</param>
    /// <param name="idfWeights">Inverse document frequencies for <paramref name="vocabulary"/> ("tf_idf" only, then required with a vocabulary).</param>
    /// <param name="invert">Map indices to values instead of values to indices ("int" mode only).</param>
    /// <param name="outputMode">"int" (default), "one_hot", "multi_hot", "count" or "tf_idf".</param>
    /// <param name="sparse">Keras's <c>sparse</c>; only false (dense outputs) is supported.</param>
    /// <param name="padToMaxTokens">Encode with depth <paramref name="maxTokens"/> whatever the vocabulary size (needs maxTokens).</param>
    /// <param name="oovMethod">"floormod" (default) or "farmhash": how unknown values pick one of several OOV indices.</param>
    /// <param name="salt">SipHash key (two integers) for "farmhash" OOV hashing, or null.</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public IntegerLookup(int? maxTokens = null, int numOovIndices = 1, long? maskToken = null, long oovToken = -1,
        long[]? vocabulary = null, string vocabularyDtype = "int64", double[]? idfWeights = null, bool invert = false, string outputMode = "int",
        bool sparse = false, bool padToMaxTokens = false, string oovMethod = "floormod", long[]? salt = null,
        int?[]? inputShape = null, string? name = null)
        : base("IntegerLookup", (a, b) => a.CompareTo(b), EqualityComparer<long>.Default, maxTokens, numOovIndices, maskToken is not null,
            maskToken ?? 0, oovToken, CheckDtype(vocabularyDtype, vocabulary), idfWeights, invert, outputMode, sparse, padToMaxTokens, oovMethod, salt,
            integerTokens: true, name, inputShape)
    {
    }

    private static long[]? CheckDtype(string vocabularyDtype, long[]? vocabulary) => vocabularyDtype == "int64" ? vocabulary
        : throw new ArgumentException($"IntegerLookup: only vocabularyDtype \"int64\" is supported (as in Keras); got \"{vocabularyDtype}\".", nameof(vocabularyDtype));

    /// <summary>The mask value, or null.</summary>
    public long? MaskToken => HasMask ? MaskValue : null;

    /// <summary>The OOV value (returned by the inverted layer for unknown indices).</summary>
    public long OovToken => OovValue;

    /// <summary>
    /// Learns the vocabulary from integer data (Keras's <c>adapt</c>; see <see cref="IndexLookup{TToken}"/>): a rank-1 tensor is a
    /// list of one-token documents, a higher-rank one has one document per row. Reads the data on the host once.
    /// </summary>
    /// <param name="data">An integer tensor.</param>
    public void Adapt(Tensor data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!data.dtype.IsInteger())
            throw new ArgumentException($"IntegerLookup '{Name}': Adapt expects an integer tensor; got {data.dtype}.", nameof(data));
        long[] values;
        using (NewDisposeScope()) values = data.to(ScalarType.Int64).cpu().flatten().data<long>().ToArray();
        int rows = data.dim() <= 1 ? values.Length : (int)data.shape[0];
        int width = rows == 0 ? 0 : values.Length / rows;
        AdaptDocuments(Enumerable.Range(0, rows).Select(r => (IReadOnlyList<long>)new ArraySegment<long>(values, r * width, width)));
    }

    private void EnsureTables(Device device)
    {
        if (_sortedKeys is not null && _tableVersion == VocabularyVersion && _tableDevice is not null && Engine.DeviceUtils.Same(_tableDevice, device)) return;
        _sortedKeys?.Dispose(); _sortedValues?.Dispose(); _invertTable?.Dispose();
        var v = Tokens;
        int start = TokenStartIndex;
        var order = Enumerable.Range(0, v.Count).OrderBy(i => v[i]).ToArray();
        using (NewDisposeScope())
        {
            _sortedKeys = torch.tensor(order.Select(i => v[i]).ToArray(), dtype: ScalarType.Int64, device: device).MoveToOuterDisposeScope();
            _sortedValues = torch.tensor(order.Select(i => (long)(i + start)).ToArray(), dtype: ScalarType.Int64, device: device).MoveToOuterDisposeScope();
            _invertTable = torch.tensor(GetVocabulary().ToArray(), dtype: ScalarType.Int64, device: device).MoveToOuterDisposeScope();
        }
        _tableDevice = device;
        _tableVersion = VocabularyVersion;
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (!inputs.dtype.IsInteger())
            throw new ArgumentException($"IntegerLookup '{Name}': expects an integer tensor; got {inputs.dtype}.", nameof(inputs));
        EnsureTables(inputs.device);
        var x = inputs.to(ScalarType.Int64);
        return Invert ? InvertLookup(x) : Finish(ForwardLookup(x));
    }

    private Tensor ForwardLookup(Tensor x)
    {
        using var scope = NewDisposeScope();
        long n = _sortedKeys!.shape[0];
        Tensor found, values;
        if (n == 0) { found = torch.zeros_like(x, dtype: ScalarType.Bool); values = torch.zeros_like(x); }
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
        var result = torch.where(found, values, OovIndices(x));
        if (MaskToken is not null) result = torch.where(masked, torch.full_like(result, MaskIndex), result);
        return result.MoveToOuterDisposeScope();
    }

    private Tensor OovIndices(Tensor x)
    {
        if (NumOovIndices <= 1) return torch.full_like(x, OovStartIndex);
        if (OovMethod == "floormod") return x.remainder(NumOovIndices) + OovStartIndex;
        long[] values = x.cpu().flatten().data<long>().ToArray();
        var bins = values.Select(v => (long)Hashing.HashToBucket(v.ToString(CultureInfo.InvariantCulture), (ulong)NumOovIndices, Salt) + OovStartIndex).ToArray();
        return torch.tensor(bins, x.shape, dtype: ScalarType.Int64).to(x.device);
    }

    private Tensor InvertLookup(Tensor x)
    {
        using var scope = NewDisposeScope();
        long size = _invertTable!.shape[0];
        var inRange = x.ge(0).logical_and(x.lt(size));
        Tensor result = size == 0 ? torch.full_like(x, OovToken) : torch.where(inRange, _invertTable[x.clamp(0, size - 1)], torch.full_like(x, OovToken));
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>The configuration (Keras's keys, vocabulary with the special tokens first).</summary>
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["vocabulary_dtype"] = "int64";
        return c;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _sortedKeys?.Dispose(); _sortedValues?.Dispose(); _invertTable?.Dispose();
            _sortedKeys = _sortedValues = _invertTable = null;
        }
        base.Dispose(disposing);
    }
}
