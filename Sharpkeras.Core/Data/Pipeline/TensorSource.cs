using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Data.Pipeline;

/// <summary>Slices of in-memory tensors: contiguous runs become <c>narrow</c> views, others one <c>index_select</c> per tensor.</summary>
internal sealed class TensorSource : IndexedSource
{
    private readonly Tensor[] _tensors;

    public TensorSource(Tensor[] tensors)
    {
        // Own handles on the same storage: the caller may dispose theirs.
        _tensors = tensors.Select(t => t.detach().DetachFromDisposeScope()).ToArray();
        Count = _tensors[0].shape[0];
    }

    public override long Count { get; }

    public override bool InMemory => true;

    public override Tensor[] GatherOne(long index)
    {
        var r = new Tensor[_tensors.Length];
        for (int i = 0; i < r.Length; i++) r[i] = _tensors[i].select(0, index);
        return r;
    }

    public override Tensor[] Gather(long[] indices, int count)
    {
        var r = new Tensor[_tensors.Length];
        long first = indices[0];
        bool contiguous = true;
        for (int j = 1; j < count && contiguous; j++) contiguous = indices[j] == first + j;
        if (contiguous)
        {
            for (int i = 0; i < r.Length; i++) r[i] = _tensors[i].narrow(0, first, count);
            return r;
        }
        var idx = new long[count];
        Array.Copy(indices, idx, count);
        using var cpuIndex = torch.tensor(idx, dtype: ScalarType.Int64);
        Tensor? deviceIndex = null;
        try
        {
            for (int i = 0; i < r.Length; i++)
            {
                var t = _tensors[i];
                Tensor index = cpuIndex;
                if (t.device_type != DeviceType.CPU)
                {
                    if (deviceIndex is null || deviceIndex.device.ToString() != t.device.ToString())
                    {
                        deviceIndex?.Dispose();
                        deviceIndex = cpuIndex.to(t.device);
                    }
                    index = deviceIndex;
                }
                r[i] = t.index_select(0, index);
            }
        }
        finally
        {
            deviceIndex?.Dispose();
        }
        return r;
    }
}
