using static TorchSharp.torch;

namespace Sharpkeras.Data.Pipeline;

/// <summary><c>Dataset.Shuffle</c>: a seeded shuffle buffer, on indices when the input has an indexed source.</summary>
internal sealed class ShuffleDataset : Dataset
{
    private readonly Dataset _input;
    private readonly int _bufferSize;
    private readonly long _seed;
    private readonly bool _reshuffle;
    private long _passes;

    public ShuffleDataset(Dataset input, int bufferSize, long seed, bool reshuffle)
    {
        _input = input;
        _bufferSize = bufferSize;
        _seed = seed;
        _reshuffle = reshuffle;
    }

    internal override long RawCardinality => _input.RawCardinality;

    internal override bool Batched => _input.Batched;

    internal override IndexedSource? Source => _input.Source;

    private SeededRandom NextRandom()
    {
        long pass = Interlocked.Increment(ref _passes) - 1;
        return SeededRandom.ForPass(_seed, _reshuffle ? pass : 0);
    }

    internal override IEnumerable<long> IndexPass() => BufferShuffle.Run(_input.IndexPass(), _bufferSize, NextRandom());

    internal override IEnumerable<Tensor[]> Elements()
    {
        if (Source != null) return base.Elements();
        return ShuffleElements();
    }

    private IEnumerable<Tensor[]> ShuffleElements()
    {
        var rng = NextRandom();
        foreach (var held in BufferShuffle.Run(_input.Elements().Select(Handles.Hold), _bufferSize, rng, Handles.DisposeAll))
            yield return Handles.Release(held);
    }
}
