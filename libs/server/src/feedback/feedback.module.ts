import { Module } from '@nestjs/common';
import { AnswerForwarding } from './answer-forwarding';
import { CxController } from './cx.controller';
import { CxRepository } from './cx.repository';
import { CxService } from './cx.service';
import { FeedbackIntakeController } from './feedback-intake.controller';
import { FeedbackIntakeService } from './feedback-intake.service';
import { FeedbackController } from './feedback.controller';
import { FeedbackRepository } from './feedback.repository';
import { FeedbackService } from './feedback.service';
import { SurveysSdkConfigSection } from './surveys-sdk-config';
import { SurveysController } from './surveys.controller';
import { SurveysRepository } from './surveys.repository';
import { SurveysService } from './surveys.service';

/** Surveys, the answers visitors give, the inbox where the team triages them, and the CX dashboard. */
@Module({
  controllers: [SurveysController, FeedbackIntakeController, FeedbackController, CxController],
  providers: [SurveysRepository, SurveysService, SurveysSdkConfigSection, FeedbackRepository, AnswerForwarding, FeedbackIntakeService, FeedbackService, CxRepository, CxService],
  exports: [CxService],
})
export class FeedbackModule {}
