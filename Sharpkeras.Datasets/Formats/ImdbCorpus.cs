using System.Text;
using System.Text.RegularExpressions;
using Sharpkeras.Data.Pipeline;

namespace Sharpkeras.Datasets.Formats;

/// <summary>
/// The Large Movie Review Dataset (aclImdb) tokenized once: reviews of <c>aclImdb/{train,test}/{neg,pos}/*.txt</c>
/// are lower-cased, <c>&lt;br /&gt;</c> tags removed, ASCII punctuation stripped and split on whitespace; words are
/// ranked by their frequency in the training reviews (1 = most frequent; ties in ordinal word order), and each
/// review becomes the list of its words' ranks (test words never seen in training are dropped, as in Keras).
/// The last corpus loaded is kept in memory.
/// </summary>
internal sealed partial class ImdbCorpus
{
    [GeneratedRegex(@"^(?:.*/)?aclImdb/(train|test)/(pos|neg)/([^/]+)\.txt$")]
    private static partial Regex EntryRegex();

    private static readonly object Gate = new();
    private static (string Key, ImdbCorpus Corpus)? _last;

    public required string[] Words { get; init; }          // Words[r - 1] has rank r
    public required int[][] Train { get; init; }            // ranks
    public required long[] TrainLabels { get; init; }
    public required int[][] Test { get; init; }
    public required long[] TestLabels { get; init; }

    /// <summary>Loads from a tarball or an <c>aclImdb</c> folder (memoized by path, size and time).</summary>
    public static ImdbCorpus Load(string source)
    {
        string key = source + "|" + (File.Exists(source)
            ? $"{new FileInfo(source).Length}|{File.GetLastWriteTimeUtc(source).Ticks}"
            : $"{Directory.GetLastWriteTimeUtc(source).Ticks}");
        lock (Gate)
        {
            if (_last is { } l && l.Key == key) return l.Corpus;
        }
        var corpus = Parse(source);
        lock (Gate) _last = (key, corpus);
        return corpus;
    }

    private sealed record Review(bool IsTrain, int Label, string Name, string Text);

    private static ImdbCorpus Parse(string source)
    {
        var reviews = new List<Review>();
        if (File.Exists(source))
        {
            TarGz.ForEachFile(source, name => EntryRegex().IsMatch(name), (name, length, stream) =>
            {
                var m = EntryRegex().Match(name);
                using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
                reviews.Add(new Review(m.Groups[1].Value == "train", m.Groups[2].Value == "pos" ? 1 : 0, m.Groups[3].Value, reader.ReadToEnd()));
            });
        }
        else
        {
            foreach (var split in new[] { "train", "test" })
                foreach (var label in new[] { "neg", "pos" })
                {
                    var dir = Path.Combine(source, split, label);
                    if (!Directory.Exists(dir)) continue;
                    foreach (var f in Directory.EnumerateFiles(dir, "*.txt"))
                        reviews.Add(new Review(split == "train", label == "pos" ? 1 : 0, Path.GetFileNameWithoutExtension(f), File.ReadAllText(f)));
                }
        }
        var train = Order(reviews.Where(r => r.IsTrain));
        var test = Order(reviews.Where(r => !r.IsTrain));
        if (train.Length == 0 || test.Length == 0)
            throw new InvalidDataException(
                $"'{source}' holds no {(train.Length == 0 ? "training" : "test")} reviews: the aclImdb layout aclImdb/{{train,test}}/{{neg,pos}}/*.txt is expected.");

        var trainTokens = train.Select(r => Tokenize(r.Text)).ToArray();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var doc in trainTokens)
            foreach (var w in doc)
                counts[w] = counts.TryGetValue(w, out var c) ? c + 1 : 1;
        var words = counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key).ToArray();
        var rank = new Dictionary<string, int>(words.Length, StringComparer.Ordinal);
        for (int i = 0; i < words.Length; i++) rank[words[i]] = i + 1;

        int[] ToRanks(List<string> doc)
        {
            var r = new List<int>(doc.Count);
            foreach (var w in doc)
                if (rank.TryGetValue(w, out var k)) r.Add(k);
            return r.ToArray();
        }

        return new ImdbCorpus
        {
            Words = words,
            Train = trainTokens.Select(ToRanks).ToArray(),
            TrainLabels = train.Select(r => (long)r.Label).ToArray(),
            Test = test.Select(r => ToRanks(Tokenize(r.Text))).ToArray(),
            TestLabels = test.Select(r => (long)r.Label).ToArray(),
        };
    }

    /// <summary>Negative reviews then positive ones, each by the numeric id of their file name ("id_rating").</summary>
    private static Review[] Order(IEnumerable<Review> reviews)
        => reviews.OrderBy(r => r.Label).ThenBy(r => IdOf(r.Name)).ThenBy(r => r.Name, StringComparer.Ordinal).ToArray();

    private static long IdOf(string name)
    {
        int us = name.IndexOf('_');
        return long.TryParse(us > 0 ? name[..us] : name, out var id) ? id : long.MaxValue;
    }

    /// <summary>Lower-case, remove <c>&lt;br /&gt;</c>, strip ASCII punctuation, split on whitespace.</summary>
    public static List<string> Tokenize(string text)
    {
        text = text.Replace("<br />", " ", StringComparison.Ordinal).ToLowerInvariant();
        return TextStandardization.SplitWhitespace(TextStandardization.StripPunctuation(text));
    }
}
