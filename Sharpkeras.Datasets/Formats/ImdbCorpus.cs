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

        // One pass per review: ids for words in first-seen order, counted; new words allocate a string once.
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var lookup = ids.GetAlternateLookup<ReadOnlySpan<char>>();
        var words = new List<string>();
        var counts = new List<long>();
        var buffer = new char[256];
        var trainIds = new int[train.Length][];
        var scratch = new List<int>();
        for (int d = 0; d < train.Length; d++)
        {
            scratch.Clear();
            ForEachToken(train[d].Text, ref buffer, token =>
            {
                if (!lookup.TryGetValue(token, out int id))
                {
                    id = words.Count;
                    var w = token.ToString();
                    words.Add(w);
                    counts.Add(0);
                    ids[w] = id;
                }
                counts[id]++;
                scratch.Add(id);
            });
            trainIds[d] = scratch.ToArray();
        }
        // Rank: count descending, ties in ordinal word order; rank 1 is the most frequent.
        var order = Enumerable.Range(0, words.Count).ToArray();
        Array.Sort(order, (a, b) =>
        {
            int c = counts[b].CompareTo(counts[a]);
            return c != 0 ? c : string.CompareOrdinal(words[a], words[b]);
        });
        var rankOfId = new int[words.Count];
        for (int r = 0; r < order.Length; r++) rankOfId[order[r]] = r + 1;
        foreach (var doc in trainIds)
            for (int i = 0; i < doc.Length; i++) doc[i] = rankOfId[doc[i]];
        var testIds = new int[test.Length][];
        for (int d = 0; d < test.Length; d++)
        {
            scratch.Clear();
            ForEachToken(test[d].Text, ref buffer, token =>
            {
                if (lookup.TryGetValue(token, out int id)) scratch.Add(rankOfId[id]); // unseen in training: dropped
            });
            testIds[d] = scratch.ToArray();
        }

        return new ImdbCorpus
        {
            Words = order.Select(i => words[i]).ToArray(),
            Train = trainIds,
            TrainLabels = train.Select(r => (long)r.Label).ToArray(),
            Test = testIds,
            TestLabels = test.Select(r => (long)r.Label).ToArray(),
        };
    }

    private delegate void TokenAction(ReadOnlySpan<char> token);

    /// <summary>
    /// The tokens of a review: <c>&lt;br /&gt;</c> tags become spaces, letters are lower-cased (invariant culture),
    /// the 32 ASCII punctuation characters are removed, and runs of ASCII whitespace separate tokens.
    /// </summary>
    private static void ForEachToken(string text, ref char[] buffer, TokenAction onToken)
    {
        int len = 0;
        int i = 0;
        while (i <= text.Length)
        {
            bool boundary;
            if (i == text.Length) boundary = true;
            else if (text[i] == '<' && string.CompareOrdinal(text, i, "<br />", 0, 6) == 0)
            {
                boundary = true;
                i += 5;
            }
            else
            {
                char c = text[i];
                boundary = TextStandardization.IsAsciiWhitespace(c);
                if (!boundary && !TextStandardization.IsPunctuation(c))
                {
                    if (len == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                    buffer[len++] = char.ToLowerInvariant(c);
                }
            }
            if (boundary && len > 0)
            {
                onToken(buffer.AsSpan(0, len));
                len = 0;
            }
            i++;
        }
    }

    /// <summary>The tokens of one review (see <see cref="ForEachToken"/>).</summary>
    public static List<string> Tokenize(string text)
    {
        var r = new List<string>();
        var buffer = new char[64];
        ForEachToken(text, ref buffer, t => r.Add(t.ToString()));
        return r;
    }

    /// <summary>Negative reviews then positive ones, each by the numeric id of their file name ("id_rating").</summary>
    private static Review[] Order(IEnumerable<Review> reviews)
        => reviews.OrderBy(r => r.Label).ThenBy(r => IdOf(r.Name)).ThenBy(r => r.Name, StringComparer.Ordinal).ToArray();

    private static long IdOf(string name)
    {
        int us = name.IndexOf('_');
        return long.TryParse(us > 0 ? name[..us] : name, out var id) ? id : long.MaxValue;
    }
}
