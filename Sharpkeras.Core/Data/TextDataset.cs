using System.Collections;
using Sharpkeras.Data.Pipeline;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Data;

/// <summary>
/// Batches of texts and labels from <c>Dataset.TextFromDirectory</c>: an
/// <c>IEnumerable&lt;(string[] Texts, Tensor Labels)&gt;</c> (text is not a tensor in TorchSharp). Each
/// <c>foreach</c> is one pass; with shuffling, each pass has a new order (reproducible with the seed).
/// The labels tensors belong to the consumer.
/// </summary>
/// <example>
/// <code>
/// var train = Dataset.TextFromDirectory("aclImdb/train", batchSize: 32, validationSplit: 0.2, subset: "training", seed: 42);
/// var vectorizer = new TextVectorization(maxTokens: 20000, outputSequenceLength: 200);
/// vectorizer.Adapt(train.SelectMany(b => b.Texts));
/// model.Fit(train.Map((texts, labels) => [vectorizer.Vectorize(texts), labels]).Prefetch(2), epochs: 3);
/// </code>
/// </example>
public sealed class TextDataset : IEnumerable<(string[] Texts, Tensor Labels)>
{
    private readonly string[] _paths;
    private readonly Tensor? _labels;
    private readonly int _batchSize;
    private readonly int? _maxLength;
    private readonly bool _shuffle;
    private readonly long _seed;
    private readonly (TextDataset training, TextDataset validation)? _both;
    private long _passes;

    private TextDataset(string[] paths, Tensor labels, int batchSize, int? maxLength, bool shuffle, long seed, IReadOnlyList<string> classNames)
    {
        _paths = paths;
        _labels = labels.DetachFromDisposeScope();
        _batchSize = batchSize;
        _maxLength = maxLength;
        _shuffle = shuffle;
        _seed = seed;
        ClassNames = classNames;
        FilePaths = paths;
    }

    private TextDataset(TextDataset training, TextDataset validation)
    {
        _paths = [];
        _both = (training, validation);
        ClassNames = training.ClassNames;
        FilePaths = [];
    }

    /// <summary>Batches per pass.</summary>
    public long Cardinality => _both is null ? (_paths.Length + _batchSize - 1) / _batchSize : 0;

    /// <summary>Class names in label order (the class folders, sorted alphabetically unless given).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The text files, in the order fixed at creation (before per-pass shuffling).</summary>
    public IReadOnlyList<string> FilePaths { get; }

    /// <summary>The two datasets of <c>subset: "both"</c>: <c>var (train, val) = Dataset.TextFromDirectory(..., subset: "both")</c>.</summary>
    /// <param name="training">Receives the training subset (the files outside the validation split).</param>
    /// <param name="validation">Receives the validation subset (the last <c>validationSplit</c> fraction of the shuffled files).</param>
    /// <exception cref="InvalidOperationException">This dataset is not the result of <c>subset: "both"</c>.</exception>
    public void Deconstruct(out TextDataset training, out TextDataset validation)
    {
        if (_both is not { } b)
            throw new InvalidOperationException("Only the result of TextFromDirectory(..., subset: \"both\") can be deconstructed into (training, validation).");
        (training, validation) = b;
    }

    /// <summary>
    /// Turns each batch into tensors, e.g. <c>(texts, labels) =&gt; [vectorizer.Vectorize(texts), labels]</c>, giving a
    /// <see cref="Dataset"/> for <c>Model.Fit</c> (chain <c>.Prefetch(2)</c> to vectorize on a background thread).
    /// </summary>
    /// <param name="mapFunc">Takes a batch's texts and labels and returns the batch's tensors.</param>
    public Dataset Map(Func<string[], Tensor, Tensor[]> mapFunc)
    {
        ArgumentNullException.ThrowIfNull(mapFunc);
        EnsureSingle();
        IEnumerable<Tensor[]> Pass()
        {
            foreach (var (texts, labels) in this)
                yield return MapDataset.Apply([labels], item => mapFunc(texts, item[0]));
        }
        return new EnumerableDataset(Pass, Cardinality, batched: true) { ClassNames = ClassNames, FilePaths = FilePaths };
    }

    /// <summary>Starts one pass over the batches.</summary>
    public IEnumerator<(string[] Texts, Tensor Labels)> GetEnumerator()
    {
        EnsureSingle();
        return Pass().GetEnumerator();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private void EnsureSingle()
    {
        if (_both != null)
            throw new InvalidOperationException("subset: \"both\" returns two datasets: deconstruct it, e.g. var (train, val) = Dataset.TextFromDirectory(dir, validationSplit: 0.2, subset: \"both\", seed: 1).");
    }

    private IEnumerable<(string[] Texts, Tensor Labels)> Pass()
    {
        IEnumerable<long> order = LongRange(_paths.Length);
        if (_shuffle)
        {
            long pass = Interlocked.Increment(ref _passes) - 1;
            order = BufferShuffle.Run(order, _batchSize * 8, SeededRandom.ForPass(_seed, pass));
        }
        var batch = new List<long>(_batchSize);
        foreach (var i in order)
        {
            batch.Add(i);
            if (batch.Count == _batchSize)
            {
                yield return Read(batch);
                batch.Clear();
            }
        }
        if (batch.Count > 0) yield return Read(batch);
    }

    private static IEnumerable<long> LongRange(long n)
    {
        for (long i = 0; i < n; i++) yield return i;
    }

    private (string[] Texts, Tensor Labels) Read(List<long> indices)
    {
        var texts = new string[indices.Count];
        for (int j = 0; j < texts.Length; j++)
        {
            string path = _paths[indices[j]];
            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new IOException($"Cannot read text file '{path}': {e.Message}", e);
            }
            if (_maxLength is int m && text.Length > m) text = text[..m];
            texts[j] = text;
        }
        using var idx = torch.tensor(indices.ToArray(), dtype: ScalarType.Int64);
        return (texts, _labels!.index_select(0, idx));
    }

    internal static TextDataset Create(string directory, object? labels, string labelMode, IReadOnlyList<string>? classNames, int batchSize,
        int? maxLength, bool shuffle, int? seed, double? validationSplit, string? subset, bool followLinks, bool verbose)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (labels is null)
            throw new ArgumentException("TextFromDirectory yields (texts, labels) batches: labels must be \"inferred\" or a list of integer labels, not null.", nameof(labels));
        var (inferred, explicitLabels) = DirectoryIndex.ParseLabels(labels);
        if (labelMode is not ("int" or "categorical" or "binary"))
            throw new ArgumentException($"labelMode must be \"int\", \"categorical\" or \"binary\"; got \"{labelMode}\".", nameof(labelMode));
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be at least 1.");
        if (maxLength is < 0) throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "maxLength must be >= 0 or null.");
        DirectoryIndex.CheckSplitArgs(validationSplit, subset, shuffle, seed);
        long s = DirectoryIndex.DrawSeed(seed);
        var listing = DirectoryIndex.Index(directory, inferred, explicitLabels, [".txt"], classNames, shuffle, s, followLinks, verbose);
        var names = listing.ClassNames!;
        if (labelMode == "binary" && names.Length != 2)
            throw new ArgumentException($"labelMode \"binary\" needs exactly 2 classes; found {names.Length}: {string.Join(", ", names)}.", nameof(labelMode));

        TextDataset Build(string[] paths, int[] labelList, bool doShuffle)
        {
            if (paths.Length == 0)
                throw new ArgumentException($"No text files found in directory '{directory}'. Allowed format: .txt", nameof(directory));
            return new TextDataset(paths, ImageDirectory.LabelTensor(labelList, labelMode, names.Length), batchSize, maxLength, doShuffle, s, names);
        }

        if (subset == "both")
        {
            var (tp, tl) = DirectoryIndex.Split(listing.Paths, listing.Labels, validationSplit, "training", verbose, directory);
            var (vp, vl) = DirectoryIndex.Split(listing.Paths, listing.Labels, validationSplit, "validation", verbose, directory);
            return new TextDataset(Build(tp, tl!, shuffle), Build(vp, vl!, false));
        }
        var (p, l) = subset == null ? (listing.Paths, listing.Labels)
            : DirectoryIndex.Split(listing.Paths, listing.Labels, validationSplit, subset, verbose, directory);
        return Build(p, l!, shuffle);
    }
}
