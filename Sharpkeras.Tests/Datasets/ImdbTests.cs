using NUnit.Framework;
using Sharpkeras.Datasets;
using Sharpkeras.Tests.Data.Fixtures;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Datasets;

public class ImdbTests
{
    private string _dir = "";

    // Train: pos "Great movie! Great<br />acting." -> great movie great acting; pos "A fine film." -> a fine film;
    //        neg "Bad movie, bad bad." -> bad movie bad bad; neg "Not a good film" -> not a good film.
    // Training counts: bad 3; a 2, film 2, great 2, movie 2; acting 1, fine 1, good 1, not 1.
    // Ranks (count desc, ties ordinal): bad 1, a 2, film 3, great 4, movie 5, acting 6, fine 7, good 8, not 9.
    private static readonly Dictionary<string, int> ExpectedIndex = new()
    {
        ["bad"] = 1, ["a"] = 2, ["film"] = 3, ["great"] = 4, ["movie"] = 5, ["acting"] = 6, ["fine"] = 7, ["good"] = 8, ["not"] = 9,
    };

    private static (string, byte[])[] Files() =>
    [
        ("aclImdb/train/pos/0_9.txt", "Great movie! Great<br />acting."u8.ToArray()),
        ("aclImdb/train/pos/1_8.txt", "A fine film."u8.ToArray()),
        ("aclImdb/train/neg/0_2.txt", "Bad movie, bad bad."u8.ToArray()),
        ("aclImdb/train/neg/1_3.txt", "Not a good film"u8.ToArray()),
        ("aclImdb/train/unsup/0_0.txt", "ignored ignored ignored ignored"u8.ToArray()),
        ("aclImdb/test/pos/0_10.txt", "Great film, superb!"u8.ToArray()),
        ("aclImdb/test/neg/0_1.txt", "Awful movie."u8.ToArray()),
        ("aclImdb/imdb.vocab", "the\n"u8.ToArray()),
    ];

    [SetUp]
    public void SetUp()
    {
        _dir = FileFixtures.TempDir("imdb");
        FileFixtures.WriteTarGz(Path.Combine(_dir, "aclImdb_v1.tar.gz"), Files());
    }

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    private static HashSet<string> Pairs(long[][] x, Tensor y)
    {
        var labels = y.data<long>().ToArray();
        return x.Select((s, i) => string.Join(",", s) + "|" + labels[i]).ToHashSet();
    }

    [Test]
    public void WordIndexRanksTrainingWordsByFrequency()
    {
        var index = Imdb.GetWordIndex(_dir);
        Assert.That(index, Is.EquivalentTo(ExpectedIndex));
    }

    [Test]
    public void LoadDataEncodesLikeKeras()
    {
        var ((x, y), (xt, yt)) = Imdb.LoadData(_dir);
        Assert.That(y.dtype, Is.EqualTo(ScalarType.Int64));
        // start 1, word rank + 3. numWords defaults to the largest index (12, "not"), and Keras keeps w < numWords,
        // so "not" becomes the OOV index 2. Test words unseen in training (superb, awful) are dropped.
        Assert.That(Pairs(x, y), Is.EquivalentTo(new[] { "1,7,8,7,9|1", "1,5,10,6|1", "1,4,8,4,4|0", "1,2,5,11,6|0" }));
        Assert.That(Pairs(xt, yt), Is.EquivalentTo(new[] { "1,7,6|1", "1,8|0" }));
        // The same seed gives the same order.
        Assert.That(Imdb.LoadData(_dir).Train.X.Select(s => string.Join(",", s)), Is.EqualTo(x.Select(s => string.Join(",", s))));
    }

    [Test]
    public void NumWordsSkipTopMaxLenAndSpecialCharacters()
    {
        // numWords 8: indices >= 8 become 2 ("great" 7 stays, "movie" 8 and "acting" 9 go).
        var limited = Imdb.LoadData(_dir, numWords: 8);
        Assert.That(Pairs(limited.Train.X, limited.Train.Y), Does.Contain("1,7,2,7,2|1"));
        // skipTop 5: indices below 5 become 2 -- the start character 1 too, as in Keras.
        var skipped = Imdb.LoadData(_dir, skipTop: 5, numWords: 100);
        Assert.That(Pairs(skipped.Train.X, skipped.Train.Y), Does.Contain("2,2,8,2,2|0"));
        // maxLen 5 keeps sequences shorter than 5 (start character included): only "a fine film" in training.
        // The default numWords is then the largest index left (10, "fine"), which Keras's w < numWords turns into 2.
        var shortOnes = Imdb.LoadData(_dir, maxLen: 5);
        Assert.That(Pairs(shortOnes.Train.X, shortOnes.Train.Y), Is.EquivalentTo(new[] { "1,5,2,6|1" }));
        Assert.That(shortOnes.Test.X.Length, Is.EqualTo(2));
        Assert.Throws<ArgumentException>(() => Imdb.LoadData(_dir, maxLen: 2));
        // No start character, no shift, OOV words dropped.
        var raw = Imdb.LoadData(_dir, startChar: null, oovChar: null, indexFrom: 0, numWords: 5);
        Assert.That(Pairs(raw.Train.X, raw.Train.Y), Is.EquivalentTo(new[] { "4,4|1", "2,3|1", "1,1,1|0", "2,3|0" }));
    }

    [Test]
    public void ReadsTheExtractedFolder()
    {
        var root = Path.Combine(_dir, "extracted");
        foreach (var (name, data) in Files())
        {
            var p = Path.Combine(root, name);
            Directory.CreateDirectory(Path.GetDirectoryName(p)!);
            File.WriteAllBytes(p, data);
        }
        Assert.That(Imdb.GetWordIndex(root), Is.EquivalentTo(ExpectedIndex));
        Assert.That(Imdb.GetWordIndex(Path.Combine(root, "aclImdb")), Is.EquivalentTo(ExpectedIndex));
    }

    [Test]
    public void CorruptArchiveAndOfflineThrow()
    {
        var bad = Path.Combine(_dir, "bad");
        Directory.CreateDirectory(bad);
        File.WriteAllBytes(Path.Combine(bad, "aclImdb_v1.tar.gz"), FileFixtures.Gzip("this is not a tar archive at all"u8.ToArray()));
        Assert.That(Assert.Throws<InvalidDataException>(() => Imdb.LoadData(bad))!.Message, Does.Contain("aclImdb_v1.tar.gz"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Imdb.LoadData(_dir, numWords: 0));
        var ex = Assert.Throws<IOException>(() => Imdb.LoadData());
        Assert.That(ex!.Message, Does.Contain("aclImdb_v1.tar.gz").And.Contain(Imdb.Origin));
    }
}
