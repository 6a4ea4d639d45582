using static TorchSharp.torch;

namespace Sharpkeras.Data.Pipeline;

/// <summary>The result of <c>subset: "both"</c>: only deconstructs into (training, validation).</summary>
internal sealed class DatasetPair : Dataset
{
    private readonly Dataset _training;
    private readonly Dataset _validation;

    public DatasetPair(Dataset training, Dataset validation)
    {
        _training = training;
        _validation = validation;
    }

    internal override long RawCardinality => UnknownCardinality;

    internal override bool Batched => true;

    internal override IEnumerable<Tensor[]> Elements()
        => throw new InvalidOperationException(
            "subset: \"both\" returns two datasets: deconstruct the result, e.g. var (train, val) = Dataset.ImageFromDirectory(dir, validationSplit: 0.2, subset: \"both\", seed: 1).");

    public override void Deconstruct(out Dataset training, out Dataset validation)
    {
        training = _training;
        validation = _validation;
    }
}
