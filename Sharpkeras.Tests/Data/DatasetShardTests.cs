using NUnit.Framework;
using TorchSharp;
using Sharpkeras.Data;

namespace Sharpkeras.Tests.Data;

/// <summary>Dataset.Shard (tf.data's shard): element i goes to shard i % numShards.</summary>
public class DatasetShardTests
{
    private static long[] Values(Dataset ds) => ds.SelectMany(b => { var v = b[0].data<long>().ToArray(); foreach (var t in b) t.Dispose(); return v; }).ToArray();

    [Test]
    public void ShardsOfOnePassAreDisjointAndCoverIt()
    {
        using var x = torch.arange(10);
        var ds = Dataset.FromTensorSlices(x);
        Assert.That(Values(ds.Shard(3, 0).Batch(100)), Is.EqualTo(new long[] { 0, 3, 6, 9 }));
        Assert.That(Values(ds.Shard(3, 1).Batch(100)), Is.EqualTo(new long[] { 1, 4, 7 }));
        Assert.That(Values(ds.Shard(3, 2).Batch(100)), Is.EqualTo(new long[] { 2, 5, 8 }));
        Assert.That(ds.Shard(3, 0).Cardinality, Is.EqualTo(4));
        Assert.That(ds.Shard(3, 2).Cardinality, Is.EqualTo(3));
        Assert.That(ds.Shard(1, 0).Cardinality, Is.EqualTo(10));
    }

    [Test]
    public void ShardsOfASeededShuffleUnionToTheShuffledPass()
    {
        using var x = torch.arange(20);
        var all = Values(Dataset.FromTensorSlices(x).Shuffle(20, seed: 5).Batch(100));
        var s0 = Values(Dataset.FromTensorSlices(x).Shuffle(20, seed: 5).Shard(2, 0).Batch(100));
        var s1 = Values(Dataset.FromTensorSlices(x).Shuffle(20, seed: 5).Shard(2, 1).Batch(100));
        Assert.That(s0, Is.EqualTo(all.Where((_, i) => i % 2 == 0).ToArray()));
        Assert.That(s1, Is.EqualTo(all.Where((_, i) => i % 2 == 1).ToArray()));
    }

    [Test]
    public void ShardingBatchesKeepsWholeBatches()
    {
        using var x = torch.arange(10);
        var batches = Dataset.FromTensorSlices(x).Batch(3).Shard(2, 1).Select(b => b[0].data<long>().ToArray()).ToList();
        Assert.That(batches, Has.Count.EqualTo(2));
        Assert.That(batches[0], Is.EqualTo(new long[] { 3, 4, 5 }));
        Assert.That(batches[1], Is.EqualTo(new long[] { 9 }));
    }

    [Test]
    public void BadArgumentsThrowNamingThem()
    {
        using var x = torch.arange(4);
        var ds = Dataset.FromTensorSlices(x);
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => ds.Shard(0, 0))!.ParamName, Is.EqualTo("numShards"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => ds.Shard(2, 2))!.ParamName, Is.EqualTo("index"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => ds.Shard(2, -1))!.ParamName, Is.EqualTo("index"));
    }
}
