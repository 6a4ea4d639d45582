using static TorchSharp.torch;

namespace Sharpkeras.Distribution;

/// <summary>
/// The differentiable sum of a tensor over the ranks (a custom autograd function): forward all-reduces the
/// values; backward all-reduces the incoming gradients weighted by each rank's share of the gradient average.
/// </summary>
/// <remarks>
/// <see cref="GradientAverager"/> combines the ranks' parameter gradients as <c>Σ_r w_r g_r / Σ_r w_r</c>, with
/// <c>w_r</c> rank r's sample count. A value <c>S = Σ_r s_r</c> used by every rank's loss <c>L_q</c> then needs, on
/// rank r, the gradient <c>G_r = Σ_q w_q ∂L_q/∂S / w_r</c> so that after the average <c>s_r</c>'s parameters get
/// <c>Σ_q (w_q/W) ∂L_q/∂S · ∂s_r/∂θ</c>, the gradient of the global loss <c>Σ_q (w_q/W) L_q</c>. A rank with weight 0 (no
/// samples) sends zeros and gets zeros. Arguments: the local tensor, the <see cref="ICommunicator"/>, the weight (double).
/// </remarks>
internal sealed class RankSumFunction : autograd.SingleTensorFunction<RankSumFunction>
{
    public override string Name => "SharpkerasRankSum";

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var local = (Tensor)vars[0];
        var comm = (ICommunicator)vars[1];
        ctx.save_data("comm", comm);
        ctx.save_data("weight", vars[2]);
        var buffer = local.detach().to(TransportType(local.dtype)).contiguous().clone();
        comm.AllReduceSum(buffer);
        return buffer.to(local.dtype);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var comm = (ICommunicator)ctx.get_data("comm");
        double weight = (double)ctx.get_data("weight");
        var type = TransportType(gradOutput.dtype);
        var buffer = weight == 0
            ? torch.zeros(gradOutput.shape, dtype: type, device: gradOutput.device)
            : gradOutput.to(type).mul(weight).contiguous();
        comm.AllReduceSum(buffer);
        var grad = weight == 0 ? torch.zeros_like(gradOutput) : buffer.div(weight).to(gradOutput.dtype);
        return [grad, null!, null!];
    }

    private static ScalarType TransportType(ScalarType t) => t == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
}
