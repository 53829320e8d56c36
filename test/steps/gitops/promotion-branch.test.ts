import { describe, expect, it } from '@jest/globals'
import { isPromotionBranch, promotionBranch } from '../../../src/steps/gitops/promotion-branch.js'

describe('promotion branches', () => {
  it('are named for the environment and the short sha', () => {
    expect(promotionBranch('promote/', 'prod', 'a1b2c3d4e5f6')).toBe('promote/prod-a1b2c3d')
  })

  it('belong to their environment only, not to another whose name starts the same', () => {
    expect(isPromotionBranch('promote/', 'prod', 'promote/prod-a1b2c3d')).toBe(true)
    expect(isPromotionBranch('promote/', 'prod', 'promote/prod-eu-a1b2c3d')).toBe(false)
    expect(isPromotionBranch('promote/', 'prod-eu', 'promote/prod-eu-a1b2c3d')).toBe(true)
    expect(isPromotionBranch('promote/', 'prod', 'feature/prod-a1b2c3d')).toBe(false)
    expect(isPromotionBranch('promote/', 'prod', 'promote/prod-a1b2c3d-fix')).toBe(false)
  })
})
