using Sharpkeras.Data;
using Sharpkeras.Data.Pipeline;
using Sharpkeras.Datasets.Formats;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Datasets;

/// <summary>
/// The IMDB movie review sentiment dataset (Keras's <c>keras.datasets.imdb</c>): 25,000 training and 25,000 test
/// reviews labelled positive (1) or negative (0), each encoded as a sequence of word indices.
/// </summary>
/// <remarks>
/// <para>Built from the original Large Movie Review Dataset, <c>aclImdb_v1.tar.gz</c> (Maas et al., 2011), rather than
/// Keras's preprocessed <c>imdb.npz</c>: each review is lower-cased, its <c>&lt;br /&gt;</c> tags removed, ASCII
/// punctuation stripped and split on whitespace; words are ranked by frequency in the training reviews (index 1 is
/// the most frequent word, before the <c>indexFrom</c> shift; ties in ordinal word order). The indices therefore
/// follow Keras's conventions but are not identical to Keras's file.</para>
/// <para>Without <c>path</c>, the tarball (or an extracted <c>aclImdb</c> folder) is taken from the cache
/// <c>~/.sharpkeras/datasets/imdb/</c>, downloading it from ai.stanford.edu when missing. No hash is pinned: neither
/// Keras nor the dataset page publishes one for this file; the download is checked by its length and by reading it
/// as a tar.gz with the aclImdb layout. The parsed corpus is kept in memory, so later calls are fast.</para>
/// </remarks>
public static class Imdb
{
    /// <summary>The original dataset's address.</summary>
    public const string Origin = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz";

    private const string TarName = "aclImdb_v1.tar.gz";

    /// <summary>
    /// Loads the reviews as word-index sequences (Keras's <c>imdb.load_data</c>, same arguments and defaults):
    /// <c>var ((xTrain, yTrain), (xTest, yTest)) = Imdb.LoadData(numWords: 10000);</c> with x <c>long[][]</c> and y int64 (N).
    /// </summary>
    /// <param name="path">The tarball, a folder holding it, the extracted <c>aclImdb</c> folder, or a folder holding that; null uses the cache.</param>
    /// <param name="numWords">Keep the words with index below this (after the <paramref name="indexFrom"/> shift); others become
    /// <paramref name="oovChar"/>. Null keeps all (Keras then uses the largest index as the bound, which makes that one word out-of-vocabulary).</param>
    /// <param name="skipTop">Indices below this (after the shift) also become <paramref name="oovChar"/>.</param>
    /// <param name="maxLen">Drop the reviews whose sequence (start character included) has <paramref name="maxLen"/> or more entries.</param>
    /// <param name="seed">Seed of the shuffle of the training reviews and then of the test reviews.</param>
    /// <param name="startChar">Index put at the start of every sequence (null: none).</param>
    /// <param name="oovChar">Index of out-of-vocabulary words (null: drop them).</param>
    /// <param name="indexFrom">Added to every word rank, reserving 0 (padding), 1 (start) and 2 (OOV) by default.</param>
    /// <exception cref="IOException">Not cached and cannot be downloaded (the message says which file to put where).</exception>
    /// <exception cref="InvalidDataException">The archive is corrupt or does not have the aclImdb layout.</exception>
    public static ((long[][] X, Tensor Y) Train, (long[][] X, Tensor Y) Test) LoadData(string? path = null, int? numWords = null,
        int skipTop = 0, int? maxLen = null, int seed = 113, int? startChar = 1, int? oovChar = 2, int indexFrom = 3)
    {
        if (numWords is < 1) throw new ArgumentOutOfRangeException(nameof(numWords), numWords, "numWords must be at least 1, or null for all words.");
        if (skipTop < 0) throw new ArgumentOutOfRangeException(nameof(skipTop), skipTop, "skipTop must be >= 0.");
        if (maxLen is < 1) throw new ArgumentOutOfRangeException(nameof(maxLen), maxLen, "maxLen must be at least 1, or null.");
        if (startChar is < 0) throw new ArgumentOutOfRangeException(nameof(startChar), startChar, "startChar must be >= 0 or null.");
        if (oovChar is < 0) throw new ArgumentOutOfRangeException(nameof(oovChar), oovChar, "oovChar must be >= 0 or null.");
        if (indexFrom < 0) throw new ArgumentOutOfRangeException(nameof(indexFrom), indexFrom, "indexFrom must be >= 0.");
        var corpus = ImdbCorpus.Load(Locate(path));

        var rng = new SeededRandom(unchecked((ulong)seed));
        var trainOrder = Enumerable.Range(0, corpus.Train.Length).ToArray();
        rng.Shuffle(trainOrder);
        var testOrder = Enumerable.Range(0, corpus.Test.Length).ToArray();
        rng.Shuffle(testOrder);

        long[] Encode(int[] ranks)
        {
            int off = startChar is null ? 0 : 1;
            var r = new long[ranks.Length + off];
            if (startChar is int s) r[0] = s;
            for (int i = 0; i < ranks.Length; i++) r[i + off] = ranks[i] + (long)indexFrom;
            return r;
        }
        var xTrain = trainOrder.Select(i => Encode(corpus.Train[i])).ToList();
        var yTrain = trainOrder.Select(i => corpus.TrainLabels[i]).ToList();
        var xTest = testOrder.Select(i => Encode(corpus.Test[i])).ToList();
        var yTest = testOrder.Select(i => corpus.TestLabels[i]).ToList();

        if (maxLen is int m)
        {
            (xTrain, yTrain) = RemoveLong(m, xTrain, yTrain);
            (xTest, yTest) = RemoveLong(m, xTest, yTest);
            if (xTrain.Count == 0 || xTest.Count == 0)
                throw new ArgumentException($"After filtering for sequences shorter than maxLen={m}, no sequence was kept. Increase maxLen.", nameof(maxLen));
        }
        long bound = numWords ?? MaxIndex(xTrain, xTest);
        long[] Limit(long[] x)
        {
            if (oovChar is int o)
            {
                for (int i = 0; i < x.Length; i++)
                    if (x[i] < skipTop || x[i] >= bound) x[i] = o; // x is this call's own array
                return x;
            }
            int kept = 0;
            foreach (var w in x)
                if (skipTop <= w && w < bound) kept++;
            var r = new long[kept];
            int j = 0;
            foreach (var w in x)
                if (skipTop <= w && w < bound) r[j++] = w;
            return r;
        }
        var trainX = new long[xTrain.Count][];
        for (int i = 0; i < trainX.Length; i++) trainX[i] = Limit(xTrain[i]);
        var testX = new long[xTest.Count][];
        for (int i = 0; i < testX.Length; i++) testX[i] = Limit(xTest[i]);
        return ((trainX, torch.tensor(yTrain.ToArray(), dtype: ScalarType.Int64)),
                (testX, torch.tensor(yTest.ToArray(), dtype: ScalarType.Int64)));
    }

    private static long MaxIndex(List<long[]> a, List<long[]> b)
    {
        long max = 0;
        foreach (var list in new[] { a, b })
            foreach (var x in list)
                foreach (var w in x)
                    if (w > max) max = w;
        return max;
    }

    private static (List<long[]>, List<long>) RemoveLong(int maxLen, List<long[]> xs, List<long> ys)
    {
        var nx = new List<long[]>();
        var ny = new List<long>();
        for (int i = 0; i < xs.Count; i++)
            if (xs[i].Length < maxLen)
            {
                nx.Add(xs[i]);
                ny.Add(ys[i]);
            }
        return (nx, ny);
    }

    /// <summary>
    /// The word index (Keras's <c>imdb.get_word_index</c>): word → rank, 1 for the most frequent training word, without
    /// the <c>indexFrom</c> shift (add it to decode <see cref="LoadData"/>'s sequences).
    /// </summary>
    /// <param name="path">As for <see cref="LoadData"/>.</param>
    public static Dictionary<string, int> GetWordIndex(string? path = null)
    {
        var corpus = ImdbCorpus.Load(Locate(path));
        var index = new Dictionary<string, int>(corpus.Words.Length, StringComparer.Ordinal);
        for (int i = 0; i < corpus.Words.Length; i++) index[corpus.Words[i]] = i + 1;
        return index;
    }

    private static string Locate(string? path)
    {
        if (path != null)
        {
            path = DatasetCache.CheckPath(path, "Imdb");
            return Resolve(path) ?? throw new FileNotFoundException(
                $"Imdb: '{path}' holds neither {TarName} nor an aclImdb folder with train/ and test/ (each with neg/ and pos/ *.txt).");
        }
        string dir = DatasetCache.Dir("imdb");
        if (Directory.Exists(dir) && Resolve(dir) is { } found && Directory.Exists(found)) return found;
        return Utils.GetFile(TarName, Origin, cacheSubdir: DatasetCache.Subdir("imdb"));
    }

    private static string? Resolve(string path)
    {
        if (File.Exists(path)) return path;
        if (File.Exists(Path.Combine(path, TarName))) return Path.Combine(path, TarName);
        static bool IsAcl(string d) => Directory.Exists(Path.Combine(d, "train")) && Directory.Exists(Path.Combine(d, "test"));
        if (IsAcl(Path.Combine(path, "aclImdb"))) return Path.Combine(path, "aclImdb");
        if (IsAcl(path)) return path;
        return null;
    }
}
