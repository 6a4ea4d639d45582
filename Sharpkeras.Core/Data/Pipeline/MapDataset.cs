using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Data.Pipeline;

/// <summary>
/// <c>Dataset.Map</c>. The function runs inside its own DisposeScope: its temporaries are freed, its new
/// outputs move out to the caller's scope, inputs it does not return are disposed, and any other tensor it
/// returns (a captured constant) is handed out as a fresh handle so the consumer can dispose it safely.
/// </summary>
internal sealed class MapDataset : Dataset
{
    private readonly Dataset _input;
    private readonly Func<Tensor[], Tensor[]> _func;

    public MapDataset(Dataset input, Func<Tensor[], Tensor[]> func)
    {
        _input = input;
        _func = func;
    }

    internal override long RawCardinality => _input.RawCardinality;

    internal override bool Batched => _input.Batched;

    internal override IEnumerable<Tensor[]> Elements()
    {
        foreach (var item in _input.Elements())
            yield return Apply(item, _func);
    }

    /// <summary>Runs <paramref name="func"/> on an element owned by the pipeline (see the class remarks).</summary>
    internal static Tensor[] Apply(Tensor[] item, Func<Tensor[], Tensor[]> func)
    {
        Tensor[] outputs;
        bool[] foreign;
        try
        {
            using var scope = torch.NewDisposeScope();
            outputs = Handles.Check(func(item), "The Dataset.Map function");
            foreign = new bool[outputs.Length];
            for (int i = 0; i < outputs.Length; i++)
            {
                var o = outputs[i];
                if (scope.Contains(o)) o.MoveToOuterDisposeScope();
                else if (Array.IndexOf(item, o) < 0) foreign[i] = true;
            }
        }
        catch
        {
            Handles.DisposeAll(item);
            throw;
        }
        for (int i = 0; i < outputs.Length; i++)
            if (foreign[i]) outputs[i] = outputs[i].detach();
        foreach (var t in item)
            if (Array.IndexOf(outputs, t) < 0) t.Dispose();
        return outputs;
    }
}
