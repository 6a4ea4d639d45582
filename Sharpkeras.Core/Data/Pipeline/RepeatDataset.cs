using static TorchSharp.torch;

namespace Sharpkeras.Data.Pipeline;

/// <summary><c>Dataset.Repeat</c>: each repetition is a new pass of the input (so shuffles reshuffle).</summary>
internal sealed class RepeatDataset : Dataset
{
    private readonly Dataset _input;
    private readonly long _count;

    public RepeatDataset(Dataset input, long count)
    {
        _input = input;
        _count = count;
    }

    internal override long RawCardinality
    {
        get
        {
            long c = _input.RawCardinality;
            if (_count == 0 || c == 0) return 0;
            if (c < 0) return c;
            return _count < 0 ? InfiniteCardinality : c * _count;
        }
    }

    internal override bool Batched => _input.Batched;

    internal override IndexedSource? Source => _input.Source;

    internal override IEnumerable<long> IndexPass()
    {
        for (long r = 0; _count < 0 || r < _count; r++)
        {
            bool any = false;
            foreach (var i in _input.IndexPass())
            {
                any = true;
                yield return i;
            }
            if (!any) yield break; // an empty input repeated forever is empty, not a hang
        }
    }

    internal override IEnumerable<Tensor[]> Elements()
    {
        if (Source != null) return base.Elements();
        return RepeatElements();
    }

    private IEnumerable<Tensor[]> RepeatElements()
    {
        for (long r = 0; _count < 0 || r < _count; r++)
        {
            bool any = false;
            foreach (var item in _input.Elements())
            {
                any = true;
                yield return item;
            }
            if (!any) yield break;
        }
    }
}
