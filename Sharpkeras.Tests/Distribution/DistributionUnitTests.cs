using NUnit.Framework;
using TorchSharp;
using Sharpkeras.Callbacks;
using Sharpkeras.Distribution;

namespace Sharpkeras.Tests.Distribution;

/// <summary>The parts of Sharpkeras.Distribution that need no second process.</summary>
public class DistributionUnitTests
{
    [Test]
    public void NoDistributionIsActiveByDefault() => Assert.That(Keras.Distribution.Current, Is.Null);

    [TestCase(64, 2)]
    [TestCase(11, 2)]
    [TestCase(7, 3)]
    [TestCase(2, 4)]
    public void BatchSlicesAreContiguousDisjointEvenAndCoverTheBatch(int n, int size)
    {
        long next = 0;
        for (int r = 0; r < size; r++)
        {
            var (start, length) = BatchSharding.Slice(n, r, size);
            Assert.That(start, Is.EqualTo(next), $"rank {r} starts where rank {r - 1} ended");
            Assert.That(length, Is.EqualTo(n / size).Or.EqualTo(n / size + 1), "lengths differ by at most one");
            next = start + length;
        }
        Assert.That(next, Is.EqualTo(n));
        Assert.That(BatchSharding.Slice(11, 0, 2), Is.EqualTo((0L, 6L)));
        Assert.That(BatchSharding.Slice(11, 1, 2), Is.EqualTo((6L, 5L)));
    }

    [Test]
    public void LocalBatchIsTheRanksRowsOfEveryTensor()
    {
        using var x = torch.arange(10).reshape(5, 2);
        using var y = torch.arange(5);
        var local = BatchSharding.Local([x, y], 1, 2);
        Assert.That(local[0].data<long>().ToArray(), Is.EqualTo(new long[] { 6, 7, 8, 9 }));
        Assert.That(local[1].data<long>().ToArray(), Is.EqualTo(new long[] { 3, 4 }));
        using var bad = torch.arange(4);
        Assert.Throws<ArgumentException>(() => BatchSharding.Local([x, bad], 0, 2));
    }

    [Test]
    public void FileWritingAndPrintingCallbacksRunOnTheChiefOnly()
    {
        var dir = Path.Combine(Path.GetTempPath(), "sk-chief-" + Guid.NewGuid().ToString("N"));
        Assert.That(DistributionStrategy.IsChiefOnly(new CSVLogger(Path.Combine(dir, "log.csv"))), Is.True);
        Assert.That(DistributionStrategy.IsChiefOnly(new ModelCheckpoint(Path.Combine(dir, "m.skeras"))), Is.True);
        Assert.That(DistributionStrategy.IsChiefOnly(new TensorBoard(Path.Combine(dir, "tb"))), Is.True);
        Assert.That(DistributionStrategy.IsChiefOnly(new BackupAndRestore(Path.Combine(dir, "b"))), Is.True);
        Assert.That(DistributionStrategy.IsChiefOnly(new ProgbarLogger()), Is.True);
        Assert.That(DistributionStrategy.IsChiefOnly(new EarlyStopping()), Is.False, "EarlyStopping must decide on every rank");
        Assert.That(DistributionStrategy.IsChiefOnly(new LambdaCallback()), Is.False);
    }

    [Test]
    public void DataParallelRejectsBadArgumentsBeforeStartingMpi()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new DataParallel(timeoutSeconds: 0));
        Assert.That(e!.ParamName, Is.EqualTo("timeoutSeconds"));
        e = Assert.Throws<ArgumentOutOfRangeException>(() => new DataParallel(bucketSizeMb: 0));
        Assert.That(e!.ParamName, Is.EqualTo("bucketSizeMb"));
        Assert.That(Keras.Distribution.Current, Is.Null);
    }
}
