using System.Collections;
using Sharpkeras.Data.Pipeline;
using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Data;

/// <summary>
/// An input pipeline in the style of <c>tf.data.Dataset</c>: a re-iterable sequence of elements, each a
/// <c>Tensor[]</c> (<c>[x, y]</c>, <c>[x, y, sampleWeight]</c>, or <c>[x1, x2, …, y]</c> for several inputs).
/// Build one with <see cref="FromTensorSlices(Tensor, Tensor?, Tensor?)"/>, <c>ImageFromDirectory</c>, …,
/// chain transformations (<see cref="Shuffle"/>, <see cref="Batch"/>, <see cref="Map"/>, <see cref="Prefetch"/>,
/// <see cref="Cache"/>, <see cref="Take"/>, <see cref="Skip"/>, <see cref="Repeat"/>), and pass the batched
/// dataset to <c>Model.Fit</c>, <c>Evaluate</c> or <c>Predict</c>.
/// </summary>
/// <remarks>
/// <para>Each <c>foreach</c> is one pass (one epoch). Transformations never change the dataset they are
/// called on; they return a new one.</para>
/// <para>Ownership: every tensor a dataset yields is a fresh handle that belongs to the consumer
/// (<see cref="TransfersOwnership"/> is true): <c>Fit</c> frees each batch after its step, and a consumer that
/// keeps a tensor past the current step must keep its own handle. Slices share storage with the source
/// tensors (no copy) where they can, like <c>narrow</c>.</para>
/// <para>Batching is vectorized: slices of <see cref="FromTensorSlices(Tensor, Tensor?, Tensor?)"/> are gathered
/// with one <c>index_select</c> (or a <c>narrow</c> view for contiguous runs) per tensor per batch, however the
/// elements were shuffled, skipped, taken or repeated before.</para>
/// </remarks>
public abstract class Dataset : IBatchSource
{
    internal const long InfiniteCardinality = -1;
    internal const long UnknownCardinality = -2;

    private protected Dataset() { }

    // ------------------------------------------------------------------------------ internals

    /// <summary>Elements per pass; <see cref="InfiniteCardinality"/> or <see cref="UnknownCardinality"/>.</summary>
    internal abstract long RawCardinality { get; }

    /// <summary>Whether elements are batches (a leading batch axis) rather than single samples.</summary>
    internal abstract bool Batched { get; }

    /// <summary>The random-access source this unbatched dataset draws its elements from, if any.</summary>
    internal virtual IndexedSource? Source => null;

    /// <summary>One pass of indices into <see cref="Source"/> (only when <see cref="Source"/> is not null).</summary>
    internal virtual IEnumerable<long> IndexPass() => throw new InvalidOperationException("This dataset has no indexed source.");

    /// <summary>One pass of elements.</summary>
    internal virtual IEnumerable<Tensor[]> Elements()
    {
        var source = Source ?? throw new InvalidOperationException($"{GetType().Name} must override Elements().");
        return IndexedElements(source, IndexPass());
    }

    private static IEnumerable<Tensor[]> IndexedElements(IndexedSource source, IEnumerable<long> indices)
    {
        foreach (var i in indices) yield return source.GatherOne(i);
    }

    // ------------------------------------------------------------------------------ public surface

    /// <summary>
    /// Elements (batches, once batched) in one pass, or null when infinite (<see cref="Repeat"/> without a count)
    /// or unknown. This is what <c>Fit</c> uses as the number of steps per epoch.
    /// </summary>
    public long? Cardinality => RawCardinality >= 0 ? RawCardinality : null;

    /// <summary>Whether one pass never ends (<see cref="Repeat"/> with no count).</summary>
    public bool IsInfinite => RawCardinality == InfiniteCardinality;

    /// <summary>
    /// True: each yielded tensor is a fresh handle owned by the consumer, who disposes it (<c>Fit</c> attaches
    /// every batch to its per-step DisposeScope). Cached and prefetched elements are handed out as fresh
    /// handles or copies, never as the shared cached tensor itself.
    /// </summary>
    public bool TransfersOwnership => true;

    /// <summary>Class names in label order, for datasets made from a directory of class folders (else null).</summary>
    public IReadOnlyList<string>? ClassNames { get; internal set; }

    /// <summary>The files behind the elements, for datasets made from a directory (else null).</summary>
    public IReadOnlyList<string>? FilePaths { get; internal set; }

    /// <summary>Starts one pass over the dataset.</summary>
    public IEnumerator<Tensor[]> GetEnumerator() => Elements().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// The two datasets of <c>subset: "both"</c> (<c>ImageFromDirectory</c>):
    /// <c>var (train, val) = Dataset.ImageFromDirectory(dir, validationSplit: 0.2, subset: "both", seed: 1);</c>.
    /// </summary>
    /// <param name="training">Receives the training subset (the files outside the validation split).</param>
    /// <param name="validation">Receives the validation subset (the last <c>validationSplit</c> fraction of the shuffled files).</param>
    /// <exception cref="InvalidOperationException">This dataset is not the result of <c>subset: "both"</c>.</exception>
    public virtual void Deconstruct(out Dataset training, out Dataset validation)
        => throw new InvalidOperationException("Only the result of ImageFromDirectory(..., subset: \"both\") can be deconstructed into (training, validation).");

    // ------------------------------------------------------------------------------ sources

    /// <summary>
    /// A dataset whose elements are the slices of the given tensors along their first axis
    /// (<c>tf.data.Dataset.from_tensor_slices((x, y))</c>): element <c>i</c> is <c>[x[i], y[i]]</c> (or
    /// <c>[x[i]]</c>, or <c>[x[i], y[i], sampleWeight[i]]</c>).
    /// </summary>
    /// <param name="x">Inputs, samples on the first axis.</param>
    /// <param name="y">Optional targets, as many samples as <paramref name="x"/>.</param>
    /// <param name="sampleWeight">Optional per-sample weights, as many samples as <paramref name="x"/>; needs <paramref name="y"/>.</param>
    /// <remarks>The dataset keeps its own handles on the tensors (no copy), so disposing the caller's handles later is safe.</remarks>
    public static Dataset FromTensorSlices(Tensor x, Tensor? y = null, Tensor? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (sampleWeight is not null && y is null)
            throw new ArgumentException("sampleWeight needs y: pass FromTensorSlices(x, y, sampleWeight).", nameof(sampleWeight));
        Tensor[] all = y is null ? [x] : sampleWeight is null ? [x, y] : [x, y, sampleWeight];
        return new SliceDataset(ValidateSlices(all, ["x", "y", "sampleWeight"]));
    }

    /// <summary>
    /// A dataset of slices of several tensors along their first axis, e.g. <c>FromTensorSlices(x1, x2, y)</c>
    /// for a model with two inputs: element <c>i</c> is <c>[x1[i], x2[i], y[i]]</c>.
    /// </summary>
    /// <param name="tensors">One or more tensors with the same first dimension.</param>
    public static Dataset FromTensorSlices(params Tensor[] tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Length == 0) throw new ArgumentException("FromTensorSlices needs at least one tensor.", nameof(tensors));
        return new SliceDataset(ValidateSlices(tensors, Enumerable.Range(0, tensors.Length).Select(i => $"tensors[{i}]").ToArray()));
    }

    /// <summary>
    /// Slices for a model with several inputs and one output: element <c>i</c> is
    /// <c>[x[0][i], x[1][i], …, y[i]]</c> (and <c>sampleWeight[i]</c> last when given), matching
    /// <c>Model.Fit(Tensor[] x, Tensor y)</c>.
    /// </summary>
    /// <param name="x">The inputs, samples on the first axis of each.</param>
    /// <param name="y">The targets.</param>
    /// <param name="sampleWeight">Optional per-sample weights.</param>
    public static Dataset FromTensorSlices(Tensor[] x, Tensor y, Tensor? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Length == 0) throw new ArgumentException("FromTensorSlices needs at least one input tensor in x.", nameof(x));
        Tensor[] all = sampleWeight is null ? [.. x, y] : [.. x, y, sampleWeight];
        var names = x.Select((_, i) => $"x[{i}]").Append("y").Append("sampleWeight").ToArray();
        return new SliceDataset(ValidateSlices(all, names));
    }

    private static Tensor[] ValidateSlices(Tensor[] tensors, string[] names)
    {
        for (int i = 0; i < tensors.Length; i++)
        {
            if (tensors[i] is null) throw new ArgumentNullException(names[i], $"FromTensorSlices: {names[i]} is null.");
            if (tensors[i].Dimensions == 0)
                throw new ArgumentException($"FromTensorSlices: {names[i]} is a scalar; it needs a first axis to slice (shape (N, ...)).", names[i]);
        }
        long n = tensors[0].shape[0];
        for (int i = 1; i < tensors.Length; i++)
            if (tensors[i].shape[0] != n)
                throw new ArgumentException(
                    $"FromTensorSlices: all tensors need the same first dimension; {names[0]} has {n} samples but {names[i]} has {tensors[i].shape[0]}.", names[i]);
        return tensors;
    }

    // ------------------------------------------------------------------------------ transformations

    /// <summary>
    /// Randomly shuffles the elements with a buffer of <paramref name="bufferSize"/> elements
    /// (<c>tf.data.Dataset.shuffle</c>): a buffer at least as large as the dataset gives a uniform shuffle.
    /// </summary>
    /// <param name="bufferSize">Elements in the shuffle buffer (≥ 1; 1 means no shuffling).</param>
    /// <param name="seed">Seed for a reproducible order; when null one is drawn from the library generator
    /// (so <c>Keras.Config.Seed</c> makes it reproducible too).</param>
    /// <param name="reshuffleEachIteration">Whether each pass (epoch) gets a different order (still reproducible with a seed).</param>
    public Dataset Shuffle(int bufferSize, int? seed = null, bool reshuffleEachIteration = true)
    {
        if (bufferSize < 1)
            throw new ArgumentOutOfRangeException(nameof(bufferSize), bufferSize, "Shuffle: bufferSize must be at least 1.");
        long s = seed ?? RandomState.NextSeed();
        return new ShuffleDataset(this, bufferSize, s, reshuffleEachIteration);
    }

    /// <summary>
    /// Combines consecutive elements into batches of <paramref name="batchSize"/> (<c>tf.data.Dataset.batch</c>):
    /// each tensor gets a new leading batch axis. The last batch is smaller unless <paramref name="dropRemainder"/>.
    /// </summary>
    /// <param name="batchSize">Elements per batch (≥ 1).</param>
    /// <param name="dropRemainder">Drop the last batch when it has fewer than <paramref name="batchSize"/> elements.</param>
    public Dataset Batch(int batchSize, bool dropRemainder = false)
    {
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Batch: batchSize must be at least 1.");
        return new BatchDataset(this, batchSize, dropRemainder);
    }

    /// <summary>
    /// Applies <paramref name="mapFunc"/> to every element (<c>tf.data.Dataset.map</c>). After <see cref="Batch"/>
    /// it runs once per batch on whole tensors (the fast way: augment or normalize batches, not samples); before
    /// it, it runs once per sample.
    /// </summary>
    /// <param name="mapFunc">Takes an element and returns the new one. Its input tensors belong to the pipeline:
    /// those it does not return are disposed after it runs, and temporaries it makes are freed; it may return
    /// its inputs, new tensors, or constants it captured (they are handed out as fresh handles).</param>
    public Dataset Map(Func<Tensor[], Tensor[]> mapFunc)
    {
        ArgumentNullException.ThrowIfNull(mapFunc);
        return new MapDataset(this, mapFunc);
    }

    /// <summary>
    /// Prepares up to <paramref name="bufferSize"/> elements ahead on a background thread
    /// (<c>tf.data.Dataset.prefetch</c>), so that loading, batching and mapping overlap with training.
    /// An exception in the producer is rethrown to the consumer when it reaches that element; ending or
    /// abandoning the pass stops the producer and frees what it had prepared.
    /// </summary>
    /// <param name="bufferSize">Elements to prepare ahead (≥ 1), or -1 (tf.data's AUTOTUNE) for 2.</param>
    public Dataset Prefetch(int bufferSize = -1)
    {
        if (bufferSize == -1) bufferSize = 2;
        if (bufferSize < 1)
            throw new ArgumentOutOfRangeException(nameof(bufferSize), bufferSize, "Prefetch: bufferSize must be at least 1, or -1 for automatic.");
        return new PrefetchDataset(this, bufferSize);
    }

    /// <summary>
    /// Caches the elements of the first complete pass and replays them in later passes
    /// (<c>tf.data.Dataset.cache</c>, in memory). A pass that is abandoned before its end caches nothing.
    /// In-memory slices cache only their order (no copy); other elements (decoded images, mapped batches) are
    /// kept as copies and each later pass hands out copies, so consumers may modify or dispose what they get.
    /// </summary>
    public Dataset Cache() => new CacheDataset(this);

    /// <summary>The first <paramref name="count"/> elements (<c>tf.data.Dataset.take</c>); -1 takes all.</summary>
    /// <param name="count">Elements to keep (≥ 0), or -1 for all.</param>
    public Dataset Take(long count)
    {
        if (count < -1) throw new ArgumentOutOfRangeException(nameof(count), count, "Take: count must be >= 0, or -1 for all.");
        return new TakeDataset(this, count);
    }

    /// <summary>All but the first <paramref name="count"/> elements (<c>tf.data.Dataset.skip</c>); -1 skips all.</summary>
    /// <param name="count">Elements to skip (≥ 0), or -1 for all.</param>
    public Dataset Skip(long count)
    {
        if (count < -1) throw new ArgumentOutOfRangeException(nameof(count), count, "Skip: count must be >= 0, or -1 for all.");
        return new SkipDataset(this, count);
    }

    /// <summary>
    /// The elements whose position in a pass is <paramref name="index"/> modulo <paramref name="numShards"/>
    /// (<c>tf.data.Dataset.shard</c>): the shards 0 … numShards-1 of the same pass are disjoint and together hold every
    /// element. For data-parallel training, shard each rank's copy with <c>Shard(worldSize, rank)</c>, after a
    /// <c>Shuffle</c> with the same seed on every rank and before <c>Batch</c>.
    /// </summary>
    /// <param name="numShards">How many shards (≥ 1).</param>
    /// <param name="index">Which shard, in [0, numShards).</param>
    public Dataset Shard(int numShards, int index)
    {
        if (numShards < 1) throw new ArgumentOutOfRangeException(nameof(numShards), numShards, "Shard: numShards must be >= 1.");
        if (index < 0 || index >= numShards)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Shard: index must be in [0, {numShards - 1}] for numShards {numShards}.");
        return new ShardDataset(this, numShards, index);
    }

    /// <summary>
    /// Repeats the dataset <paramref name="count"/> times (<c>tf.data.Dataset.repeat</c>); -1 repeats forever
    /// (then pass <c>stepsPerEpoch</c> to <c>Fit</c>). Shuffled datasets get a new order in each repetition.
    /// </summary>
    /// <param name="count">Repetitions (≥ 0), or -1 for infinitely many.</param>
    public Dataset Repeat(long count = -1)
    {
        if (count < -1) throw new ArgumentOutOfRangeException(nameof(count), count, "Repeat: count must be >= 0, or -1 for forever.");
        return new RepeatDataset(this, count);
    }

    // ------------------------------------------------------------------------------ directories

    /// <summary>
    /// A batched dataset of images read from class folders (Keras's <c>image_dataset_from_directory</c>):
    /// yields <c>[images, labels]</c> with images float32 in [0, 255] of shape (batch, height, width, channels)
    /// (channels_last by default) and labels from the class folders, sorted alphabetically.
    /// </summary>
    /// <remarks>
    /// <para>PNG, JPEG, BMP and GIF (first frame) are decoded with StbImageSharp (SixLabors.ImageSharp is not
    /// available from the package registry this project uses). Images are resized with TorchSharp's
    /// <c>interpolate</c>: "bilinear" (and "nearest", which uses half-pixel centers) match
    /// <c>tf.image.resize</c>; "bicubic" uses PyTorch's cubic coefficient (-0.75 instead of TensorFlow's -0.5)
    /// and "area" is PyTorch's adaptive average, so those two can differ slightly from Keras-on-TensorFlow.</para>
    /// <para>Like Keras: the file list is sorted, then shuffled once with <paramref name="seed"/> before the
    /// training/validation split; the training dataset is then reshuffled every epoch with a buffer of
    /// 8 × batchSize; files are decoded on a background thread (prefetch). Labels are int64 for "int"
    /// (Keras uses int32; sparse losses take both), float32 one-hot for "categorical", float32 (batch, 1) for
    /// "binary".</para>
    /// </remarks>
    /// <param name="directory">Folder with one subfolder per class (for <paramref name="labels"/> "inferred").</param>
    /// <param name="labels">"inferred" (from the subfolders) or null (images only); the overload taking a list
    /// gives explicit integer labels.</param>
    /// <param name="labelMode">"int", "categorical", "binary" (exactly two classes), or null for no labels.</param>
    /// <param name="classNames">Explicit class folder names (and their order) when labels are inferred.</param>
    /// <param name="colorMode">"rgb" (3 channels), "grayscale" (1) or "rgba" (4).</param>
    /// <param name="batchSize">Images per batch, or null for unbatched single images.</param>
    /// <param name="imageSize">(height, width) to resize to; default (256, 256).</param>
    /// <param name="shuffle">Shuffle the data (otherwise sorted alphanumerically).</param>
    /// <param name="seed">Seed for shuffling; required with <paramref name="validationSplit"/> when shuffling.</param>
    /// <param name="validationSplit">Fraction in (0, 1) reserved for validation.</param>
    /// <param name="subset">"training", "validation", or "both" (deconstruct the result into two datasets); needs <paramref name="validationSplit"/>.</param>
    /// <param name="interpolation">"bilinear", "nearest", "bicubic" or "area".</param>
    /// <param name="followLinks">Visit subfolders that are symbolic links.</param>
    /// <param name="cropToAspectRatio">Crop the largest centered window with the target aspect ratio before resizing.</param>
    /// <param name="padToAspectRatio">Resize preserving the aspect ratio and pad with zeros to the target size.</param>
    /// <param name="dataFormat">"channels_last" or "channels_first"; default <c>Keras.Config.ImageDataFormat</c>.</param>
    /// <param name="verbose">Print how many files and classes were found.</param>
    public static Dataset ImageFromDirectory(string directory, string? labels = "inferred", string? labelMode = "int",
        IReadOnlyList<string>? classNames = null, string colorMode = "rgb", int? batchSize = 32, (int Height, int Width)? imageSize = null,
        bool shuffle = true, int? seed = null, double? validationSplit = null, string? subset = null, string interpolation = "bilinear",
        bool followLinks = false, bool cropToAspectRatio = false, bool padToAspectRatio = false, string? dataFormat = null, bool verbose = true)
        => ImageDirectory.Create(directory, labels, labelMode, classNames, colorMode, batchSize, imageSize ?? (256, 256), shuffle, seed,
            validationSplit, subset, interpolation, followLinks, cropToAspectRatio, padToAspectRatio, dataFormat, verbose);

    /// <summary>
    /// <see cref="ImageFromDirectory(string, string?, string?, IReadOnlyList{string}?, string, int?, ValueTuple{int, int}?, bool, int?, double?, string?, string, bool, bool, bool, string?, bool)"/>
    /// with explicit labels: one integer label per image file, in the sorted order of the file paths (all files under
    /// <paramref name="directory"/>, folders ignored). The class names are then the sorted distinct labels.
    /// </summary>
    /// <param name="directory">Folder holding the images (searched recursively).</param>
    /// <param name="labels">An <c>int[]</c>, <c>long[]</c> or other list of integer labels.</param>
    /// <param name="labelMode">"int", "categorical", "binary", or null for no labels.</param>
    /// <param name="colorMode">"rgb", "grayscale" or "rgba".</param>
    /// <param name="batchSize">Images per batch, or null for unbatched single images.</param>
    /// <param name="imageSize">(height, width) to resize to; default (256, 256).</param>
    /// <param name="shuffle">Shuffle the data.</param>
    /// <param name="seed">Seed for shuffling.</param>
    /// <param name="validationSplit">Fraction in (0, 1) reserved for validation.</param>
    /// <param name="subset">"training", "validation" or "both".</param>
    /// <param name="interpolation">"bilinear", "nearest", "bicubic" or "area".</param>
    /// <param name="followLinks">Visit subfolders that are symbolic links.</param>
    /// <param name="cropToAspectRatio">Crop to the target aspect ratio before resizing.</param>
    /// <param name="padToAspectRatio">Pad to the target aspect ratio after resizing.</param>
    /// <param name="dataFormat">"channels_last" or "channels_first".</param>
    /// <param name="verbose">Print how many files were found.</param>
    public static Dataset ImageFromDirectory(string directory, object labels, string? labelMode = "int",
        string colorMode = "rgb", int? batchSize = 32, (int Height, int Width)? imageSize = null,
        bool shuffle = true, int? seed = null, double? validationSplit = null, string? subset = null, string interpolation = "bilinear",
        bool followLinks = false, bool cropToAspectRatio = false, bool padToAspectRatio = false, string? dataFormat = null, bool verbose = true)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return ImageDirectory.Create(directory, labels, labelMode, null, colorMode, batchSize, imageSize ?? (256, 256), shuffle, seed,
            validationSplit, subset, interpolation, followLinks, cropToAspectRatio, padToAspectRatio, dataFormat, verbose);
    }

    /// <summary>
    /// Batches of texts and labels read from class folders of <c>.txt</c> files (Keras's
    /// <c>text_dataset_from_directory</c>), e.g. the <c>aclImdb/train/{neg,pos}/*.txt</c> layout. Texts are not
    /// tensors in TorchSharp, so this yields <c>(string[] Texts, Tensor Labels)</c>; turn texts into tensors with
    /// <c>TextVectorization</c> (see <see cref="TextDataset.Map"/>).
    /// </summary>
    /// <param name="directory">Folder with one subfolder per class.</param>
    /// <param name="labels">"inferred" (from the subfolders); the overload taking a list gives explicit integer labels.</param>
    /// <param name="labelMode">"int" (int64), "categorical" (float32 one-hot) or "binary" (float32 (batch, 1)).</param>
    /// <param name="classNames">Explicit class folder names (and their order).</param>
    /// <param name="batchSize">Texts per batch (≥ 1).</param>
    /// <param name="maxLength">Truncate each text to this many characters (Keras counts bytes; this counts UTF-16 characters).</param>
    /// <param name="shuffle">Shuffle the data (otherwise sorted alphanumerically).</param>
    /// <param name="seed">Seed for shuffling; required with <paramref name="validationSplit"/> when shuffling.</param>
    /// <param name="validationSplit">Fraction in (0, 1) reserved for validation.</param>
    /// <param name="subset">"training", "validation", or "both" (deconstruct the result); needs <paramref name="validationSplit"/>.</param>
    /// <param name="followLinks">Visit subfolders that are symbolic links.</param>
    /// <param name="verbose">Print how many files and classes were found.</param>
    public static TextDataset TextFromDirectory(string directory, string labels = "inferred", string labelMode = "int",
        IReadOnlyList<string>? classNames = null, int batchSize = 32, int? maxLength = null, bool shuffle = true, int? seed = null,
        double? validationSplit = null, string? subset = null, bool followLinks = false, bool verbose = true)
        => TextDataset.Create(directory, labels, labelMode, classNames, batchSize, maxLength, shuffle, seed, validationSplit, subset, followLinks, verbose);

    /// <summary>
    /// <see cref="TextFromDirectory(string, string, string, IReadOnlyList{string}?, int, int?, bool, int?, double?, string?, bool, bool)"/>
    /// with explicit labels: one integer label per <c>.txt</c> file, in the sorted order of the file paths.
    /// </summary>
    /// <param name="directory">Folder holding the text files (searched recursively).</param>
    /// <param name="labels">An <c>int[]</c>, <c>long[]</c> or other list of integer labels.</param>
    /// <param name="labelMode">"int", "categorical" or "binary".</param>
    /// <param name="batchSize">Texts per batch.</param>
    /// <param name="maxLength">Truncate each text to this many characters.</param>
    /// <param name="shuffle">Shuffle the data.</param>
    /// <param name="seed">Seed for shuffling.</param>
    /// <param name="validationSplit">Fraction in (0, 1) reserved for validation.</param>
    /// <param name="subset">"training", "validation" or "both".</param>
    /// <param name="followLinks">Visit subfolders that are symbolic links.</param>
    /// <param name="verbose">Print how many files were found.</param>
    public static TextDataset TextFromDirectory(string directory, object labels, string labelMode = "int", int batchSize = 32,
        int? maxLength = null, bool shuffle = true, int? seed = null, double? validationSplit = null, string? subset = null,
        bool followLinks = false, bool verbose = true)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return TextDataset.Create(directory, labels, labelMode, null, batchSize, maxLength, shuffle, seed, validationSplit, subset, followLinks, verbose);
    }
}
