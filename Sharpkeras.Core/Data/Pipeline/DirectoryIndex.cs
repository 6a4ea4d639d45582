using Sharpkeras.Engine;

namespace Sharpkeras.Data.Pipeline;

/// <summary>
/// Keras's <c>index_directory</c> and <c>get_training_or_validation_split</c>: lists the files of a folder of
/// class folders (sorted like Python's <c>sorted(os.walk(...))</c>), shuffles them once with the seed, and
/// takes the training or validation part.
/// </summary>
internal static class DirectoryIndex
{
    public sealed record Listing(string[] Paths, int[]? Labels, string[]? ClassNames);

    /// <summary>Keras's <c>check_validation_split_arg</c>.</summary>
    public static void CheckSplitArgs(double? validationSplit, string? subset, bool shuffle, int? seed)
    {
        if (validationSplit is double v && !(v > 0 && v < 1))
            throw new ArgumentOutOfRangeException(nameof(validationSplit), v, "validationSplit must be between 0 and 1 (exclusive).");
        if (subset is not (null or "training" or "validation" or "both"))
            throw new ArgumentException($"subset must be \"training\", \"validation\" or \"both\"; got \"{subset}\".", nameof(subset));
        if ((validationSplit != null) != (subset != null))
            throw new ArgumentException("If subset is set, validationSplit must be set, and inversely.", validationSplit == null ? nameof(validationSplit) : nameof(subset));
        if (validationSplit != null && shuffle && seed == null)
            throw new ArgumentException("When using validationSplit and shuffling the data, you must provide a seed, so that the training and validation subsets do not overlap.", nameof(seed));
    }

    /// <summary>Turns the <c>labels</c> argument into "inferred" (null list, inferred true), none, or an explicit list.</summary>
    public static (bool inferred, int[]? explicitLabels) ParseLabels(object? labels)
    {
        switch (labels)
        {
            case null: return (false, null);
            case string s when s == "inferred": return (true, null);
            case string s:
                throw new ArgumentException($"labels must be \"inferred\", null, or a list of integer labels; got the string \"{s}\".", nameof(labels));
            case IEnumerable<int> ints: return (false, ints.ToArray());
            case IEnumerable<long> longs:
                return (false, longs.Select(l => l is < int.MinValue or > int.MaxValue
                    ? throw new ArgumentException($"labels: {l} is out of range.", nameof(labels)) : (int)l).ToArray());
            default:
                throw new ArgumentException($"labels must be \"inferred\", null, or a list of integer labels (int[] or long[]); got {labels.GetType().Name}.", nameof(labels));
        }
    }

    public static Listing Index(string directory, bool inferred, int[]? explicitLabels, string[] formats, IReadOnlyList<string>? classNames,
        bool shuffle, long seed, bool followLinks, bool verbose)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!System.IO.Directory.Exists(directory))
            throw new DirectoryNotFoundException($"The directory '{directory}' does not exist.");
        string[] subdirs;
        if (inferred)
        {
            var found = System.IO.Directory.EnumerateDirectories(directory)
                .Select(Path.GetFileName).Where(n => n != null && !n.StartsWith('.')).Select(n => n!)
                .OrderBy(n => n, StringComparer.Ordinal).ToArray();
            if (classNames != null)
            {
                var missing = classNames.Where(c => !found.Contains(c)).ToArray();
                if (missing.Length > 0)
                    throw new ArgumentException(
                        $"classNames must name subfolders of '{directory}'; these are not: {string.Join(", ", missing)}. Subfolders: {string.Join(", ", found)}.", nameof(classNames));
                if (classNames.Distinct().Count() != classNames.Count)
                    throw new ArgumentException("classNames has duplicates.", nameof(classNames));
                subdirs = classNames.ToArray();
            }
            else subdirs = found;
        }
        else
        {
            if (classNames != null)
                throw new ArgumentException(explicitLabels == null
                    ? "When labels is null (no labels), classNames cannot be given."
                    : "When labels is a list, classNames cannot be given (the class names are the sorted distinct labels).", nameof(classNames));
            subdirs = [""];
        }

        var paths = new List<string>();
        var labels = new List<int>();
        for (int c = 0; c < subdirs.Length; c++)
        {
            string root = subdirs[c].Length == 0 ? directory : Path.Combine(directory, subdirs[c]);
            foreach (var file in WalkFiles(root, followLinks, formats))
            {
                paths.Add(file);
                labels.Add(c);
            }
        }

        int[]? outLabels;
        string[]? outClasses;
        if (inferred)
        {
            outLabels = labels.ToArray();
            outClasses = subdirs;
        }
        else if (explicitLabels == null)
        {
            outLabels = null;
            outClasses = null;
        }
        else
        {
            if (explicitLabels.Length != paths.Count)
                throw new ArgumentException(
                    $"labels has {explicitLabels.Length} entries but {paths.Count} matching files were found in '{directory}'; give one label per file.", "labels");
            outLabels = (int[])explicitLabels.Clone();
            outClasses = explicitLabels.Distinct().OrderBy(l => l).Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        }
        if (verbose)
            Console.WriteLine(outLabels == null
                ? $"Found {paths.Count} files."
                : $"Found {paths.Count} files belonging to {outClasses!.Length} classes.");

        var pathArray = paths.ToArray();
        if (shuffle)
        {
            var order = Enumerable.Range(0, pathArray.Length).ToArray();
            new SeededRandom(unchecked((ulong)seed)).Shuffle(order);
            pathArray = order.Select(i => paths[i]).ToArray();
            if (outLabels != null)
            {
                var l = outLabels;
                outLabels = order.Select(i => l[i]).ToArray();
            }
        }
        return new Listing(pathArray, outLabels, outClasses);
    }

    private static IEnumerable<string> WalkFiles(string root, bool followLinks, string[] formats)
    {
        var dirs = new List<string>();
        CollectDirectories(root, followLinks, dirs, 0);
        dirs.Sort(StringComparer.Ordinal);
        foreach (var d in dirs)
        {
            var files = System.IO.Directory.EnumerateFiles(d)
                .Where(f => formats.Any(ext => f.EndsWith(ext, StringComparison.OrdinalIgnoreCase)))
                .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal);
            foreach (var f in files) yield return f;
        }
    }

    private static void CollectDirectories(string dir, bool followLinks, List<string> into, int depth)
    {
        if (depth > 64) throw new IOException($"Folder nesting deeper than 64 levels under '{dir}' (a symbolic link loop?).");
        into.Add(dir);
        foreach (var sub in System.IO.Directory.EnumerateDirectories(dir))
        {
            if (!followLinks && new DirectoryInfo(sub).LinkTarget != null) continue;
            CollectDirectories(sub, followLinks, into, depth + 1);
        }
    }

    /// <summary>Keras's split: the last <c>int(validationSplit * n)</c> files are the validation subset.</summary>
    public static (string[] paths, int[]? labels) Split(string[] paths, int[]? labels, double? validationSplit, string subset, bool verbose, string directory)
    {
        if (validationSplit is not double v) return (paths, labels);
        int n = paths.Length;
        int numVal = (int)(v * n);
        if (numVal == 0 || numVal == n)
            throw new ArgumentException(
                $"validationSplit {v} of the {n} files in '{directory}' leaves {(numVal == 0 ? "no validation" : "no training")} files; use more files or another split.", nameof(validationSplit));
        if (subset == "training")
        {
            if (verbose) Console.WriteLine($"Using {n - numVal} files for training.");
            return (paths[..(n - numVal)], labels?[..(n - numVal)]);
        }
        if (verbose) Console.WriteLine($"Using {numVal} files for validation.");
        return (paths[(n - numVal)..], labels?[(n - numVal)..]);
    }

    /// <summary>The shuffle seed when none is given (drawn from the library generator).</summary>
    public static long DrawSeed(int? seed) => seed ?? (RandomState.NextSeed() % 1_000_000);
}
