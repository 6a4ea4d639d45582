using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Data.Pipeline;

/// <summary><c>Dataset.ImageFromDirectory</c> (Keras's <c>image_dataset_from_directory</c>).</summary>
internal static class ImageDirectory
{
    public static readonly string[] Formats = [".bmp", ".gif", ".jpeg", ".jpg", ".png"];
    private static readonly string[] SupportedInterpolations = ["bilinear", "nearest", "bicubic", "area"];
    private static readonly string[] KerasOnlyInterpolations = ["lanczos3", "lanczos5", "gaussian", "mitchellcubic"];

    public static Dataset Create(string directory, object? labels, string? labelMode, IReadOnlyList<string>? classNames, string colorMode,
        int? batchSize, (int Height, int Width) imageSize, bool shuffle, int? seed, double? validationSplit, string? subset,
        string interpolation, bool followLinks, bool cropToAspectRatio, bool padToAspectRatio, string? dataFormat, bool verbose)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var (inferred, explicitLabels) = DirectoryIndex.ParseLabels(labels);
        if (!inferred && explicitLabels != null && classNames is { Count: > 0 })
            throw new ArgumentException("classNames can only be given when labels is \"inferred\".", nameof(classNames));
        if (labelMode is not (null or "int" or "categorical" or "binary"))
            throw new ArgumentException($"labelMode must be \"int\", \"categorical\", \"binary\" or null; got \"{labelMode}\".", nameof(labelMode));
        if (labels is null || labelMode is null)
        {
            inferred = false;
            explicitLabels = null;
            labelMode = null;
        }
        int channels = colorMode switch
        {
            "rgb" => 3,
            "rgba" => 4,
            "grayscale" => 1,
            _ => throw new ArgumentException($"colorMode must be \"rgb\", \"rgba\" or \"grayscale\"; got \"{colorMode}\".", nameof(colorMode)),
        };
        if (imageSize.Height <= 0 || imageSize.Width <= 0)
            throw new ArgumentException($"imageSize must be two positive integers (height, width); got ({imageSize.Height}, {imageSize.Width}).", nameof(imageSize));
        if (batchSize is < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be at least 1, or null for no batching.");
        ArgumentNullException.ThrowIfNull(interpolation);
        interpolation = interpolation.ToLowerInvariant();
        if (!SupportedInterpolations.Contains(interpolation))
            throw new ArgumentException(KerasOnlyInterpolations.Contains(interpolation)
                ? $"interpolation \"{interpolation}\" is a TensorFlow-only resize method; supported here: {string.Join(", ", SupportedInterpolations)}."
                : $"interpolation must be one of {string.Join(", ", SupportedInterpolations)}; got \"{interpolation}\".", nameof(interpolation));
        if (cropToAspectRatio && padToAspectRatio)
            throw new ArgumentException("Only one of cropToAspectRatio and padToAspectRatio can be true.", nameof(padToAspectRatio));
        string format = dataFormat ?? Keras.Config.ImageDataFormat;
        if (format is not ("channels_last" or "channels_first"))
            throw new ArgumentException($"dataFormat must be \"channels_last\" or \"channels_first\"; got \"{dataFormat}\".", nameof(dataFormat));
        DirectoryIndex.CheckSplitArgs(validationSplit, subset, shuffle, seed);

        long s = DirectoryIndex.DrawSeed(seed);
        var listing = DirectoryIndex.Index(directory, inferred, explicitLabels, Formats, classNames, shuffle, s, followLinks, verbose);
        int numClasses = listing.ClassNames?.Length ?? 0;
        if (labelMode == "binary" && numClasses != 2)
            throw new ArgumentException($"labelMode \"binary\" needs exactly 2 classes; found {numClasses}: {string.Join(", ", listing.ClassNames ?? [])}.", nameof(labelMode));
        int shuffleBuffer = batchSize is int b ? b * 8 : 1024;

        Dataset Build(string[] paths, int[]? labelList, bool doShuffle)
        {
            if (paths.Length == 0)
                throw new ArgumentException($"No images found in directory '{directory}'. Allowed formats: {string.Join(", ", Formats)}.", nameof(directory));
            var labelTensor = labelList is null ? null : LabelTensor(labelList, labelMode!, numClasses);
            Dataset ds = new SliceDataset(new ImageFileSource(paths, labelTensor, channels, imageSize.Height, imageSize.Width,
                interpolation, cropToAspectRatio, padToAspectRatio, format == "channels_first"));
            if (doShuffle) ds = new ShuffleDataset(ds, shuffleBuffer, s, reshuffle: true);
            if (batchSize is int bs) ds = ds.Batch(bs);
            ds = ds.Prefetch(2);
            ds.ClassNames = listing.ClassNames;
            ds.FilePaths = paths;
            return ds;
        }

        if (subset == "both")
        {
            var (tp, tl) = DirectoryIndex.Split(listing.Paths, listing.Labels, validationSplit, "training", verbose, directory);
            var (vp, vl) = DirectoryIndex.Split(listing.Paths, listing.Labels, validationSplit, "validation", verbose, directory);
            return new DatasetPair(Build(tp, tl, shuffle), Build(vp, vl, false));
        }
        var (p, l) = subset == null ? (listing.Paths, listing.Labels)
            : DirectoryIndex.Split(listing.Paths, listing.Labels, validationSplit, subset, verbose, directory);
        return Build(p, l, shuffle);
    }

    /// <summary>Labels as one tensor: int64 (N) for "int", float32 one-hot (N, K) for "categorical", float32 (N, 1) for "binary".</summary>
    public static Tensor LabelTensor(int[] labels, string labelMode, int numClasses)
    {
        var longs = labels.Select(l => (long)l).ToArray();
        using var scope = torch.NewDisposeScope();
        var t = torch.tensor(longs, dtype: ScalarType.Int64);
        Tensor r = labelMode switch
        {
            "categorical" => OneHot(labels, numClasses),
            "binary" => t.to(ScalarType.Float32).unsqueeze(1),
            _ => t,
        };
        return r.MoveToOuterDisposeScope();
    }

    private static Tensor OneHot(int[] labels, int numClasses)
    {
        foreach (var l in labels)
            if (l < 0 || l >= numClasses)
                throw new ArgumentException($"labelMode \"categorical\": label {l} is outside [0, {numClasses}) (there are {numClasses} classes).", "labels");
        using var t = torch.tensor(labels.Select(l => (long)l).ToArray(), dtype: ScalarType.Int64);
        return torch.nn.functional.one_hot(t, numClasses).to(ScalarType.Float32);
    }
}
