package org.mambaplayground.engine.transformer;

import org.mambaplayground.engine.model.Params;
import org.mambaplayground.engine.model.SizeLimits;

/**
 * params.json's {@code moe} object (mistral-inference's MoeArgs): each layer's feed-forward is {@code experts}
 * SwiGLU experts and a router ({@code feed_forward.gate}); every token runs through the {@code expertsPerToken}
 * experts with the largest router logits, weighted by the softmax over those chosen logits only.
 *
 * @param experts         {@code num_experts} (Mixtral 8x7B: 8)
 * @param expertsPerToken {@code num_experts_per_tok} (Mixtral: 2)
 */
public record MixtureOfExperts(int experts, int expertsPerToken) {
    public MixtureOfExperts {
        if (experts <= 0 || experts > SizeLimits.EXPERTS || expertsPerToken <= 0 || expertsPerToken > experts) {
            throw new IllegalArgumentException("a mixture of experts needs 1 to " + SizeLimits.EXPERTS
                    + " experts and 1 to that many experts per token, got " + experts + " and " + expertsPerToken);
        }
    }

    /** Mixtral 8x7B: 8 experts, 2 per token. */
    public static MixtureOfExperts mixtral() { return new MixtureOfExperts(8, 2); }

    static MixtureOfExperts fromParams(Params moe) {
        int experts = moe.requireCount("num_experts", SizeLimits.EXPERTS);
        int perToken = moe.requirePositiveInt("num_experts_per_tok");
        if (perToken > experts) throw moe.invalid("num_experts_per_tok", perToken + " is more than num_experts " + experts);
        return new MixtureOfExperts(experts, perToken);
    }
}
